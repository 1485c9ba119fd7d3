"""Caller sentiment from the transcript when the platform gives none (local mode).

VADER (a lexicon scorer tuned for short social-media text) rates each caller sentence from −1 to
+1; later sentences weigh more, because how a call ends is what the caller remembers. VADER is a
weak signal on its own (it reads "not helpful :(" as neutral), so escalation phrases, shouting in
capitals and repeated exclamation marks are detected with rules and pull the result down.

Read in context (local-2): each caller turn is also read as a reply to the agent's turn before it.
"Sounds good" after an offer lifts the tone; "No, the 7th" after a read-back, asking for other
options, or the "OK" that follows the agent saying it cannot do something lowers it. VADER rates
all of those about neutral, yet they are the moments a caller remembers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from voiceconsole.scoring.outcome import Reply, sentence_at

_analyzer: SentimentIntensityAnalyzer | None = None


def analyzer() -> SentimentIntensityAnalyzer:
    """The process's one VADER analyzer (reading the lexicon takes ~10 ms, so build it once)."""
    global _analyzer
    if _analyzer is None:
        _analyzer = SentimentIntensityAnalyzer()
    return _analyzer


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
# A bare "no" answering the agent's question ("No, that's all, thanks") is not a negative feeling,
# but VADER's lexicon rates "no" at −1.2; drop it before rating the sentence. (A "No" that turns down
# or corrects the agent is a reaction read in context instead, see REACTION.)
_LEADING_NO = re.compile(r"^\s*(no|nope|nah|no no)\b[\s,.!]*", re.IGNORECASE)
# Read in context, the opening of a caller's reply moves by this much (on VADER's −1..+1 scale, about
# one clearly positive or negative word): up when it accepts what the agent said ("Sounds good"), down
# when it says no to the agent ("No, the 7th", which VADER reads as 0.0), asks for other options, or
# answers an agent who had just said it could not do something (the caller's "OK" after hearing "no"
# is not contentment).
REACTION = 0.4
# The last sentence of the caller's side counts this many times as much as the first one.
END_WEIGHT = 3.0
# Tone = these shares of the weighted mean, the warmest sentence and the last caller turn.
TONE_MEAN, TONE_PEAK, TONE_END = 0.5, 0.25, 0.25

# (pattern, penalty, reason). Matched on the lower-cased caller text; each counts once per call.
ESCALATIONS: tuple[tuple[re.Pattern[str], int, str], ...] = tuple(
    (re.compile(p), pen, why)
    for p, pen, why in (
        (
            r"\b(speak|talk)\w* (to|with) (a |an |your |the )?(manager|supervisor|human|real person|"
            r"person|someone else|representative|agent)\b|\b(get|give) me (a |your )?(manager|supervisor|"
            r"human|real person)\b",
            15,
            "Caller asked for a manager or a person",
        ),
        (r"\brefund\b", 10, "Caller asked for a refund"),
        (r"\bcancel\b|\bcancell?ation\b", 5, "Caller talked about cancelling"),
        (
            r"\b(this|that|it)('s| is) (ridiculous|unacceptable|useless|a joke|absurd|insane|terrible|"
            r"awful|pathetic)\b|\bwaste of (my )?time\b|\bare you (kidding|serious|even listening)\b|"
            r"\byou('re| are) (not|n't) (listening|helping|understanding)\b|\b(not|n't) helpful\b|"
            r"\bi (already|just) (told|said|gave)\b|\bfed up\b|\bsick of\b",
            12,
            "Caller expressed frustration",
        ),
        (r"\b(damn|dammit|hell|wtf|crap|shit\w*|fuck\w*|bullshit)\b", 10, "Caller swore"),
        (
            r"\b(complain|complaint)\b|\b(report|sue) you\b|\bbetter business bureau\b",
            10,
            "Caller threatened to complain",
        ),
    )
)
MAX_ESCALATION_PENALTY = 40
SHOUTING_PENALTY = 15
EXCLAIM_PENALTY = 5


@dataclass(slots=True)
class SentimentReading:
    """The caller's tone: weighted VADER mean, the end of the call, and escalation signals."""

    sentences: int = 0
    mean: float = 0.0  # end-weighted mean compound, −1..1
    end: float = 0.0  # mean compound of the caller's last turn
    peak: float = 0.0  # the caller's warmest sentence
    peak_text: str = ""
    tone: float = 0.0  # what the category scores: overall, best moment and end (peak-end rule)
    penalty: int = 0
    signals: list[str] = field(default_factory=list)  # reasons, in the order found
    quotes: dict[str, str] = field(default_factory=dict)  # reason -> the words that triggered it
    # Replies read in context (only when the agent's turns were given).
    accepted: int = 0
    pushed_back: int = 0
    wanted_other: int = 0
    heard_no: int = 0


_CAPS_RUN = re.compile(r"[A-Z]{2,}\W+[A-Z]{2,}")


def _is_shouting(sentence: str) -> bool:
    """At least three words and most of its letters in capitals ("THIS IS NOT WHAT I ASKED")."""
    if not _CAPS_RUN.search(sentence):
        return False
    upper = lower = words = 0
    for w in sentence.split():
        letters = [c for c in w if c.isalpha()]
        if len(letters) >= 2:
            words += 1
        for c in letters:
            if c.isupper():
                upper += 1
            else:
                lower += 1
    return words >= 3 and upper >= 8 and upper > 3 * lower


def _context_shift(reply: Reply, r: SentimentReading) -> float:
    """How the caller's reply reads against what the agent had just said (see REACTION)."""
    shift = 0.0
    if reply.accepts:
        shift += REACTION
        r.accepted += 1
    if reply.push_back:
        shift -= REACTION
        r.pushed_back += 1
    if reply.wants_other:
        shift -= REACTION
        r.wanted_other += 1
    if reply.after_no:
        shift -= REACTION
        r.heard_no += 1
    return shift


def read_caller_sentiment(caller_turns: list[str], replies: list[Reply] | None = None) -> SentimentReading:
    """Score the caller's turns sentence by sentence, later sentences weighing more.

    `replies`, when given, is `outcome.read_exchanges(...).replies`: the same caller turns read
    against what the agent had just said. The opening sentence of each reply then carries its
    context (REACTION).
    """
    r = SentimentReading()
    an = analyzer()
    sentences: list[tuple[str, int, float]] = []  # (sentence, index of its turn, context shift)
    if replies is not None and len(replies) != len(caller_turns):
        replies = None
    for i, text in enumerate(caller_turns):
        shift = _context_shift(replies[i], r) if replies is not None else 0.0
        for s in _SENTENCE_END.split(text.strip()):
            if s:
                sentences.append((s, i, shift))
                shift = 0.0  # the reaction is the reply's opening sentence
    if not sentences:
        return r
    n = len(sentences)
    last_turn = sentences[-1][1]
    total = weight_sum = end_sum = 0.0
    end_n = 0
    shouted = exclaimed = False
    r.peak = -2.0
    for k, (s, turn, shift) in enumerate(sentences):
        rated = _LEADING_NO.sub("", s, count=1)
        words = an.polarity_scores(rated)["compound"] if rated else 0.0
        c = min(1.0, max(-1.0, words + shift))
        w = 1.0 + (END_WEIGHT - 1.0) * (k / (n - 1) if n > 1 else 1.0)
        total += c * w
        weight_sum += w
        if c > r.peak:
            r.peak, r.peak_text = c, s
        if turn == last_turn:
            end_sum += c
            end_n += 1
        # Capitals and "!!" intensify whatever is said; they signal anger only when the words
        # are not positive ("THANK YOU SO MUCH!!" is delight).
        if words < 0.3:
            if not shouted and _is_shouting(s):
                shouted = True
                r.penalty += SHOUTING_PENALTY
                r.signals.append("Caller was shouting (all capitals)")
                r.quotes["Caller was shouting (all capitals)"] = sentence_at(s, 0, len(s))
            if not exclaimed and "!!" in s:
                exclaimed = True
                r.penalty += EXCLAIM_PENALTY
                r.signals.append("Caller used repeated exclamation marks")
    r.sentences = n
    r.mean = total / weight_sum
    r.end = end_sum / end_n if end_n else 0.0
    # People judge an experience by its average, its most intense moment and its end
    # (Kahneman's peak-end rule); the caller's warmest moment is usually about the service.
    r.tone = TONE_MEAN * r.mean + TONE_PEAK * r.peak + TONE_END * r.end

    text = "\n".join(caller_turns)
    low = text.lower()
    if len(low) != len(text):
        text = low  # keep quote positions aligned
    esc = 0
    for pattern, penalty, why in ESCALATIONS:
        m = pattern.search(low)
        if m:
            esc += penalty
            r.signals.append(why)
            r.quotes[why] = sentence_at(text, m.start(), m.end())
    r.penalty += min(esc, MAX_ESCALATION_PENALTY)
    return r

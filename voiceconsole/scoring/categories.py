"""The four score categories (DESIGN.md §7). Each returns a 0–100 score and the reasons for it.

Reasons are short sentences a person reads on the call page, in order of importance; a category
never returns without at least one reason. Thresholds are plain constants so that a reader can
check any score by hand.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import pairwise

from voiceconsole.scoring import outcome as oc
from voiceconsole.scoring.features import CallFeatures
from voiceconsole.scoring.sentiment import SentimentReading


@dataclass(slots=True)
class CategoryResult:
    score: int
    reasons: list[str] = field(default_factory=list)


def _clamp(x: float, lo: float = 0.0, hi: float = 100.0) -> int:
    # Half up (not Python's half-to-even), so that a score can be checked by hand.
    return int(min(hi, max(lo, x)) + 0.5)


def _interp(x: float, points: tuple[tuple[float, float], ...]) -> float:
    if x <= points[0][0]:
        return points[0][1]
    for (x0, y0), (x1, y1) in pairwise(points):
        if x <= x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return points[-1][1]


def fmt_seconds(s: float) -> str:
    """Seconds as a person reads them: 5 s, 2 min 14 s, 1 h 3 min."""
    s = round(s)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        m, r = divmod(s, 60)
        return f"{m} min {r} s" if r else f"{m} min"
    h, r = divmod(s, 3600)
    return f"{h} h {r // 60} min"


def _clip(text: str, n: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "\u2026"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def _quote(text: str | None) -> str:
    return f" (\u201c{text.strip()}\u201d)" if text else ""


# --- Duration ------------------------------------------------------------------------------------

# Seconds -> score. Under 15 s almost nothing can be achieved; one to fifteen minutes is the
# productive band for phone work; very long calls lose a little (loops, holds, a stuck agent).
DURATION_CURVE = (
    (0, 0),
    (5, 5),
    (10, 20),
    (15, 40),
    (20, 60),
    (30, 80),
    (45, 92),
    (60, 100),
    (900, 100),
    (1800, 85),
    (3600, 70),
)


def duration(f: CallFeatures, end_class: str | None = None) -> CategoryResult:
    """Was the call long enough to be productive? Short and abandoned calls score low."""
    reasons: list[str] = []
    d = f.duration_s
    estimated = False
    if d is None:
        d = f.agent_talk_s + f.user_talk_s
        estimated = True
    score = _interp(d, DURATION_CURVE)
    if end_class == oc.NOT_CONNECTED:
        return CategoryResult(_clamp(min(score, 10)), ["Call never connected to the caller"])
    if d < 15 and end_class == oc.CALLER_HANGUP:
        reasons.append(f"Caller hung up after {fmt_seconds(d)}")
    elif d < 15 and end_class == oc.SILENCE:
        reasons.append(f"Call ended on silence after {fmt_seconds(d)}")
    elif d < 15:
        reasons.append(f"Very short call ({fmt_seconds(d)})")
    elif d < 30:
        reasons.append(f"Short call ({fmt_seconds(d)})")
    elif d > 1800:
        reasons.append(f"Very long call ({fmt_seconds(d)})")
    else:
        reasons.append(f"Call lasted {fmt_seconds(d)}")
    if estimated:
        reasons[-1] += ", estimated from the transcript length"
    if f.user_words == 0:
        score = min(score, 20)
        reasons.insert(0, "Caller never spoke")
    elif f.agent_words == 0:
        score = min(score, 20)
        reasons.insert(0, "Agent never spoke")
    elif f.turn_count <= 2 and d >= 15:
        score = min(score, 40)
        reasons.append("Only one exchange")
    return CategoryResult(_clamp(score), reasons)


# --- Sentiment ----------------------------------------------------------------------------------

PLATFORM_SENTIMENT = {"positive": 85, "neutral": 60, "negative": 20}
# The caller's tone (−1..1, see sentiment.read_caller_sentiment) -> score: 50 + GAIN * tone.
# Polite, neutral calls sit around +0.1..+0.4 (thanks, greetings).
VADER_GAIN = 60


def _tone_word(c: float) -> str:
    if c >= 0.35:
        return "positive"
    if c >= 0.05:
        return "mildly positive"
    if c > -0.05:
        return "neutral"
    if c > -0.35:
        return "mildly negative"
    return "negative"


def sentiment(platform_sentiment: str | None, reading: SentimentReading) -> CategoryResult:
    """Caller tone: the platform's label when given, else VADER over the caller's sentences."""
    reasons: list[str] = []
    label = (platform_sentiment or "").strip().lower()
    if label in PLATFORM_SENTIMENT:
        score = float(PLATFORM_SENTIMENT[label])
        reasons.append(f"Platform rated the caller's sentiment {label.capitalize()}")
        # The platform heard the whole call; local escalation signals only nudge its verdict.
        if reading.penalty:
            score -= reading.penalty / 2
            reasons.extend(_signal_reasons(reading))
        return CategoryResult(_clamp(score), reasons)
    if reading.sentences == 0:
        return CategoryResult(50, ["Caller said nothing to judge their tone by"])
    score = 50 + VADER_GAIN * reading.tone
    reasons.append(
        f"Caller sounded {_tone_word(reading.mean)} overall "
        f"({reading.mean:+.2f} on a \u22121 to +1 scale, {_count(reading.sentences, 'sentence')})"
    )
    context = _context_reason(reading)
    if context:
        reasons.append(context)
    if reading.peak >= 0.5:
        reasons.append("Caller's warmest moment" + _quote(_clip(reading.peak_text)))
    if reading.end >= 0.3:
        reasons.append("Call ended on a positive note")
    elif reading.end <= -0.3:
        reasons.append("Call ended on a negative note")
    score -= reading.penalty
    reasons.extend(_signal_reasons(reading))
    return CategoryResult(_clamp(score), reasons)


def _context_reason(reading: SentimentReading) -> str | None:
    """What reading the caller's replies against the agent's turns added to the tone, if anything."""
    ups = [f"accepted what the agent said {_times(reading.accepted)}"] if reading.accepted else []
    downs = []
    if reading.pushed_back:
        downs.append(f"said no to the agent {_times(reading.pushed_back)}")
    if reading.wanted_other:
        downs.append(f"asked for other options {_times(reading.wanted_other)}")
    if reading.heard_no:
        downs.append(f"answered the agent's “no” {_times(reading.heard_no)}")
    if not ups and not downs:
        return None
    parts = []
    if ups:
        parts.append("lifted: caller " + ups[0])
    if downs:
        parts.append("lowered: caller " + ", ".join(downs))
    return "Tone read in context, " + "; ".join(parts)


def _signal_reasons(reading: SentimentReading) -> list[str]:
    return [why + _quote(reading.quotes.get(why)) for why in reading.signals]


# --- Outcome ------------------------------------------------------------------------------------

OUTCOME_UNKNOWN = 50  # no flag and nothing detected either way
OUTCOME_SPAN = 50  # evidence moves the score by at most this much, smoothly (tanh)
PLATFORM_SUCCESS = 88
PLATFORM_FAILURE = 18
PLATFORM_NUDGE = 0.3  # how much transcript evidence moves a platform verdict
CANNOT_GAIN, CANNOT_CAP = 60, 30  # agent said it could not do what was asked: × share of its answers
PUSH_BACK_EACH, PUSH_BACK_CAP = 6, 18  # caller turned down or corrected the agent ("No, the 7th")
WANTS_OTHER_EACH, WANTS_OTHER_CAP = 5, 15  # caller asked for other options


def outcome(
    successful: bool | None, s: oc.OutcomeSignals, f: CallFeatures, status: str | None = None
) -> CategoryResult:
    """Did the agent achieve the objective? The platform's success flag first, else the evidence."""
    if s.voicemail:
        return CategoryResult(5, ["Call reached voicemail"])
    if s.end_class == oc.NOT_CONNECTED:
        return CategoryResult(5, ["Call never connected to the caller"])

    delta = 0.0
    pros: list[str] = []
    cons: list[str] = []
    if s.agent_done:
        delta += 20
        pros.append("Agent confirmed the task was done" + _quote(s.agent_done))
    if s.offers_accepted:
        delta += min(16, 8 * s.offers_accepted)
        pros.append(
            "Caller said yes to the agent's offer" + ("" if s.offers_accepted == 1 else f" ({s.offers_accepted} times)")
        )
    if s.caller_accepts:
        delta += min(24, 8 * s.caller_accepts)
        pros.append("Caller was satisfied with the answer" + _quote(s.caller_accepts_quote))
    if s.agent_more:
        delta += 6
        pros.append("Agent offered further help, a sign the request was handled")
    if s.caller_thanks_at_end:
        delta += 8
        pros.append("Caller thanked the agent at the end")
    if s.summary_done and not s.summary_failed:
        delta += 10
        pros.append("The call summary reports the task done")
    if s.agent_cannot:
        # By share of the agent's answers: one "no" in a two-answer call is the call; one in twenty is
        # not. A "no" the agent worked around (a task confirmed done later) counts half.
        answers = max(s.agent_answers, s.agent_cannot)
        weighted = s.agent_cannot - s.agent_cannot_recovered / 2
        delta -= min(CANNOT_CAP, CANNOT_GAIN * weighted / answers)
        times = f" in {s.agent_cannot} of its {answers} answers" if answers > 1 else ""
        later = ""
        if s.agent_cannot_recovered:
            later = (
                ", then found a way"
                if s.agent_cannot_recovered == s.agent_cannot
                else f", then found a way for {s.agent_cannot_recovered}"
            )
        cons.append("Agent could not do what was asked" + times + later + _quote(s.agent_cannot_quote))
    if s.agent_apology:
        delta -= 15
        cons.append("Agent apologised for not helping" + _quote(s.agent_apology))
    if s.offers_declined:
        delta -= min(15, 5 * s.offers_declined)
        cons.append(
            "Caller turned down the agent's offer" + ("" if s.offers_declined == 1 else f" ({s.offers_declined} times)")
        )
    if s.caller_rejects:
        delta -= min(15, 5 * s.caller_rejects)
        cons.append("Caller rejected what was proposed" + _quote(s.caller_rejects_quote))
    if s.misunderstood:
        delta -= min(15, 5 * s.misunderstood)
        cons.append(
            "Agent did not understand the caller" + ("" if s.misunderstood == 1 else f" {s.misunderstood} times")
        )
    if s.caller_repeats:
        delta -= min(16, 8 * s.caller_repeats)
        cons.append("Caller had to repeat or correct themselves" + _quote(s.caller_repeats_quote))
    if s.caller_pushed_back:
        delta -= min(PUSH_BACK_CAP, PUSH_BACK_EACH * s.caller_pushed_back)
        cons.append(
            "Caller said no to what the agent said or proposed"
            + ("" if s.caller_pushed_back == 1 else f" ({s.caller_pushed_back} times)")
            + _quote(s.caller_pushed_back_quote)
        )
    if s.caller_wants_other:
        delta -= min(WANTS_OTHER_CAP, WANTS_OTHER_EACH * s.caller_wants_other)
        cons.append(
            "Caller asked for other options"
            + ("" if s.caller_wants_other == 1 else f" ({s.caller_wants_other} times)")
            + _quote(s.caller_wants_other_quote)
        )
    if s.caller_unsatisfied:
        delta -= min(30, 12 * s.caller_unsatisfied)
        cons.append("Caller was not satisfied" + _quote(s.caller_unsatisfied_quote))
    if s.unanswered_question:
        delta -= 15
        cons.append("Call ended before the agent answered the caller's question")
    if s.summary_failed:
        delta -= 10
        cons.append("The call summary reports a problem")
    ec = s.end_class
    duration_s = f.duration_s if f.duration_s is not None else f.agent_talk_s + f.user_talk_s
    if status == "error" or ec == oc.ERROR:
        delta -= 30
        cons.insert(0, "Call ended on a platform error")
    elif ec == oc.TRANSFER_FAILED:
        delta -= 25
        cons.insert(0, "The transfer to a person failed")
    elif ec == oc.TRANSFER:
        delta -= 5
        cons.append("Call was handed over to a person")
    elif ec == oc.SILENCE:
        delta -= 20
        cons.insert(0, "Call ended after the line went silent")
    elif ec == oc.MAX_DURATION:
        delta -= 10
        cons.append("Call hit the maximum duration")
    elif ec == oc.CALLER_HANGUP and (duration_s < 20 or f.user_turns <= 1):
        delta -= 25
        cons.insert(0, f"Caller hung up after {fmt_seconds(duration_s)}")
    elif ec == oc.AGENT_HANGUP:
        delta += 3
        pros.append("Agent closed the call")

    if successful is True:
        score = PLATFORM_SUCCESS + PLATFORM_NUDGE * delta
        score = min(100.0, max(70.0, score))
        reasons = ["Platform marked the call successful", *pros, *cons]
    elif successful is False:
        score = PLATFORM_FAILURE + PLATFORM_NUDGE * delta
        score = min(40.0, max(0.0, score))
        reasons = ["Platform marked the call unsuccessful", *cons, *pros]
    else:
        # Evidence adds up without a hard stop at 0 or 100: a booked call that also turned the
        # caller down twice stays below one that went smoothly, instead of both clipping to 100.
        score = OUTCOME_UNKNOWN + OUTCOME_SPAN * math.tanh(delta / OUTCOME_SPAN)
        reasons = (pros + cons) if delta >= 0 else (cons + pros)
        if not reasons:
            reasons = ["No clear outcome in the transcript"]
    if f.user_words == 0:
        score = min(score, 15)
        reasons.insert(0, "Caller never spoke")
    return CategoryResult(_clamp(score), reasons)


# --- Engagement ---------------------------------------------------------------------------------

TALK_RATIO_HIGH = 0.60  # above this the agent talks more than it listens
TALK_RATIO_LOW = 0.20  # below this the agent barely took part
MONOLOGUE_S = 30.0  # an agent stretch longer than this loses the caller
LATENCY_GOOD_MS = 1000
LATENCY_SLOW_MS = 1500
SILENCE_S = 5.0


def engagement(f: CallFeatures) -> CategoryResult:
    """Back-and-forth quality: turn-taking, talk ratio, monologues, interruptions, responsiveness."""
    if not f.agent_words or not f.user_words:
        who = "caller" if not f.user_words else "agent"
        return CategoryResult(10, [f"No conversation: the {who} never spoke"])
    score = 100.0
    cons: list[str] = []
    pros: list[str] = []
    if f.turn_count <= 2:
        score -= 50
        cons.append("Only one exchange between agent and caller")
    elif f.turn_count <= 4:
        score -= 25
        cons.append(f"Only {f.turn_count} turns of back-and-forth")
    r = f.talk_ratio if f.talk_ratio is not None else 0.5
    pct = round(r * 100)
    if f.turn_count <= 2:
        pass  # one exchange: the ratio says nothing more
    elif r > TALK_RATIO_HIGH:
        score -= min(40, (r - TALK_RATIO_HIGH) * 100)
        if r > 0.70:
            cons.append(f"Agent did most of the talking ({pct}% of the time)")
        else:
            pros.append(f"{f.turn_count} turns; agent spoke {pct}% of the time")
    elif r < TALK_RATIO_LOW:
        score -= min(25, (TALK_RATIO_LOW - r) * 125)
        cons.append(f"Agent barely spoke ({pct}% of the time)")
    else:
        pros.append(f"Balanced conversation: {f.turn_count} turns, agent spoke {pct}% of the time")
    m = f.longest_agent_monologue_s
    if m > MONOLOGUE_S:
        score -= min(40, (m - MONOLOGUE_S) * 0.6 + 5)
        cons.append(f"Agent spoke for {fmt_seconds(m)} without a break")
    if f.agent_interruptions:
        score -= min(24, 8 * f.agent_interruptions)
        n = f.agent_interruptions
        cons.append(f"Agent talked over the caller {_times(n)}")
    if f.user_interruptions:
        score -= min(12, 4 * f.user_interruptions)
        n = f.user_interruptions
        cons.append(f"Caller cut the agent off {_times(n)}")
    if f.latency_p50_ms is not None:
        p50 = f.latency_p50_ms / 1000
        if f.latency_p50_ms > LATENCY_SLOW_MS:
            score -= min(40, 12 * (p50 - LATENCY_GOOD_MS / 1000))  # 2 s: -12, 3.5 s: -30
            cons.append(f"Agent was slow to answer: {p50:.1f} s typically")
        elif f.latency_p50_ms <= LATENCY_GOOD_MS:
            pros.append(f"Agent answered in {p50:.1f} s typically")
        if f.latency_p90_ms is not None and f.latency_p90_ms > 4000:
            score -= 10
            cons.append(f"Some answers took {f.latency_p90_ms / 1000:.1f} s or more")
    if f.longest_silence_s is not None and f.longest_silence_s > SILENCE_S:
        score -= min(20, (f.longest_silence_s - SILENCE_S) * 2)
        cons.append(f"Dead air of {fmt_seconds(f.longest_silence_s)}")
    # Silence before the greeting; when the caller spoke first, the answer is a latency instead.
    if f.first_speaker == "agent" and f.time_to_first_agent_word_s is not None and f.time_to_first_agent_word_s > 5:
        score -= 10
        cons.append(f"Agent took {fmt_seconds(f.time_to_first_agent_word_s)} to say anything")
    return CategoryResult(_clamp(score), cons + pros)

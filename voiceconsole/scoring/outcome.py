"""Did the call achieve its objective? Signals from the end reason and the transcript.

The platform's own success flag, when present, is the primary answer (see categories.outcome);
these detectors are the local fallback and add nuance either way. End reasons are classified
from all three platforms' vocabularies (Retell `disconnection_reason`, Vapi `endedReason`,
ElevenLabs `termination_reason`, which is free text); unknown values fall through as "other".

`read_exchanges` reads the call turn by turn: each caller turn as a reply to the agent's turn just
before it (an offer taken or turned down, a read-back corrected, a request for other options, an
acceptance) and each agent answer that says it cannot do what was asked. Sentiment reads the same
replies (see sentiment.read_caller_sentiment).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# End-reason classes.
NOT_CONNECTED = "not_connected"  # voicemail, no answer, busy, failed to dial
ERROR = "error"
TRANSFER = "transfer"
TRANSFER_FAILED = "transfer_failed"
SILENCE = "silence"
MAX_DURATION = "max_duration"
CALLER_HANGUP = "caller_hangup"
AGENT_HANGUP = "agent_hangup"
OTHER = "other"

_VOICEMAIL = {"voicemail_reached", "voicemail", "ivr_reached"}
_NOT_CONNECTED = _VOICEMAIL | {
    "dial_no_answer",
    "dial_busy",
    "dial_failed",
    "user_declined",
    "invalid_destination",
    "marked_as_spam",
    "registered_call_timeout",
    "error_user_not_joined",
    "customer-busy",
    "customer-did-not-answer",
    "customer-did-not-give-microphone-permission",
    "twilio-failed-to-connect-call",
    "twilio-reported-customer-misdialed",
    "vonage-rejected",
    "manually-canceled",
    "call-deleted",
    "scheduled-call-deleted",
    "no_valid_payment",
    "concurrency_limit_reached",
    "no_concurrency_fallback",
    "scam_detected",
    "telephony_provider_permission_denied",
    "telephony_provider_unavailable",
    "sip_routing_error",
}
_TRANSFER_FAILED = {"transfer_cancelled", "call.in-progress.error-transfer-failed"}
_TRANSFER = {"call_transfer", "transfer_bridged", "assistant-forwarded-call", "call_take_over"}
_SILENCE = {"inactivity", "silence-timed-out", "error_no_audio_received"}
_MAX_DURATION = {"max_duration_reached", "exceeded-max-duration"}
_CALLER_HANGUP = {"user_hangup", "customer-ended-call"}
_AGENT_HANGUP = {
    "agent_hangup",
    "assistant-ended-call",
    "assistant-said-end-call-phrase",
    "assistant-ended-call-with-hangup-task",
    "assistant-ended-call-after-message-spoken",
}


def classify_end_reason(reason: str | None) -> str | None:
    """Map a raw end reason of any platform onto one of the classes above (None if absent)."""
    if not reason:
        return None
    r = reason.strip().lower()
    if r in _NOT_CONNECTED:
        return NOT_CONNECTED
    if r in _TRANSFER_FAILED:
        return TRANSFER_FAILED
    if r in _TRANSFER:
        return TRANSFER
    if r in _SILENCE:
        return SILENCE
    if r in _MAX_DURATION:
        return MAX_DURATION
    if r in _CALLER_HANGUP:
        return CALLER_HANGUP
    if r in _AGENT_HANGUP:
        return AGENT_HANGUP
    # Vapi error prefixes, Retell error_*, and ElevenLabs free text.
    if (
        r.startswith(
            (
                "error",
                "pipeline-error",
                "call.start.error",
                "call.in-progress.error",
                "call.ringing.error",
                "call.forwarding.error",
            )
        )
        or "error" in r
        or "failed" in r
        or "failure" in r
    ):
        return ERROR
    if "voicemail" in r or "no answer" in r or "no-answer" in r or "busy" in r:
        return NOT_CONNECTED
    if "transfer" in r or "forward" in r:
        return TRANSFER
    if "silence" in r or "inactiv" in r or "timed out" in r or "timeout" in r:
        return SILENCE
    if "max duration" in r or "maximum duration" in r or "max_duration" in r:
        return MAX_DURATION
    if "end_call" in r or "end call" in r or "agent ended" in r or "agent hung" in r:
        return AGENT_HANGUP
    if (
        "client disconnected" in r
        or "user hung" in r
        or "caller hung" in r
        or "remote party" in r
        or "customer ended" in r
        or "user ended" in r
        or "hangup" in r
        or "hung up" in r
    ):
        return CALLER_HANGUP
    return OTHER


def is_voicemail_reason(reason: str | None) -> bool:
    return bool(reason and (reason.strip().lower() in _VOICEMAIL or "voicemail" in reason.lower()))


def _rx(*alternatives: str) -> re.Pattern[str]:
    # Patterns are lower case and run on lower-cased text (twice as fast as re.IGNORECASE).
    return re.compile("|".join(f"(?:{a})" for a in alternatives))


# Agent confirms that the task was done: booked, scheduled, sent, updated, resolved.
AGENT_DONE = _rx(
    r"\byou('re| are) all set\b",
    r"\b(is|are|has been|have been|was|were) (now )?(confirmed|booked|"
    r"scheduled|reserved|rescheduled|updated|processed|cancell?ed|resolved|submitted|registered)\b",
    r"\bi('ve| have)( now| just| also)? (booked|scheduled|reserved|confirmed|sent|updated|rescheduled|"
    r"processed|submitted|cancell?ed|set up|placed|added|made)\b",
    r"\b(booking|reservation|confirmation|reference|order|ticket|case) (number|code|id) is\b",
    r"\b(your|the) (booking|reservation|appointment|order|ticket|transfer|payment|request) (is|was) "
    r"(successful|complete|confirmed|done|set)\b",
    r"\b(booking|reservation) was successful\b",
    r"\bsuccessfully (booked|scheduled|reserved|"
    r"made|placed|updated|cancell?ed|processed)\b",
    r"\bi was able to (book|schedule|reserve|get|find)\b",
    r"\bwe('ll| will) see you (on|at|then)\b",
)
# Agent offers more help, which it does once the main request is handled.
AGENT_MORE = _rx(
    r"\banything else (i|we) can (help|do|assist)\b",
    r"\bis there anything else\b",
    r"\b(can|may) i (help|assist) (you )?with anything else\b",
    r"\banything else (today|for you)\b",
    r"\bdo you need (anything|help with anything) else\b",
    r"\bwhat else can i\b",
)
# Agent cannot do what was asked: an apology with a negation in the same sentence, or a plain
# "I couldn't book", "no availability", "booking was unsuccessful".
AGENT_CANNOT = _rx(
    r"\b(sorry|afraid|unfortunately)\b[^.?!\n]{0,40}?\b(can't|cannot|couldn't|could not|unable|not able|"
    r"don't|do not|doesn't|does not|isn't|is not|aren't|are not|wasn't|weren't|no|none|nothing|"
    r"unavailable|unsuccessful)\b",
    r"\b(i|we) (was|were|am|are) (unable|not able) to\b",
    r"\b(i|we) (wasn't|weren't) able to\b",
    r"\b(i|we) (can't|cannot|couldn't|could not) (book|find|help|do|schedule|reserve|process|locate|get|"
    r"make|access|see|confirm)\b",
    r"\b(booking|reservation|payment|transaction|request|transfer) (was|is|has been) (unsuccessful|"
    r"declined|denied|rejected|not successful)\b",
    r"\b(no|none) (availability|results|matches|openings|slots|vacancies)\b",
    r"\bfully booked\b",
    r"\bno longer available\b",
    # A turn that opens with a bare "No" answers the caller's "Do you have…?" negatively.
    r"(?:^|\n)[^\w\n]*no\b(?!\s+(problem|worries|trouble))[,.!]",
)
# The agent's plain "no" to what the caller asked, without an apology ("We don't offer weekend
# visits", "Parking is not included", "There are no tables at 7").
AGENT_SAYS_NO = _rx(
    r"\b(is|are|was|were)(n't| not) (available|offered|possible|included|covered|allowed|permitted|refundable|"
    r"free|open|in stock|supported)\b",
    r"\b(we|they|it|he|she|this|that|the \w+)( \w+)? (does|do|did)(n't| not) (have|offer|allow|accept|serve|"
    r"provide|include|take|cover|support|carry|deliver)\b",
    r"\bthere (is|are|'s|were|was) no\b",
    r"\bthere (isn't|aren't|wasn't|weren't) any\b",
)
# Agent apologises for not having helped: it knows the call failed.
AGENT_APOLOGY = _rx(
    r"\bsorry (that )?(i|we) (wasn't|weren't|was not|were not|couldn't|could not|can't|cannot) (be )?"
    r"(of )?(more |much |very |any |a lot of |a big )?(help|helpful|assistance)\b",
)
# Agent misunderstood (ASR or intent failures): each one is friction for the caller.
AGENT_MISUNDERSTOOD = _rx(
    r"\bsorry,? (i )?(didn't|did not|couldn't|could not) (quite )?(catch|hear|understand|get) (that|you)\b",
    r"\b(could|can) you (please )?(repeat|say) that( again)?\b",
    r"\bi('m| am) not sure (i|what you)\b",
    r"\bi don't understand\b",
)
# Agent proposes an action ("Shall I book it?"); the caller's answer says whether it converted.
AGENT_OFFER = _rx(
    r"\b(would you like|do you want|shall i|should i|can i|may i|want me to|would you like me to|"
    r"how about i)\b[^?]{0,60}?\b(book|reserve|schedule|buy|purchase|order|make (a|the|your) "
    r"(reservation|booking|appointment)|set (it|that|this|one|you) up|sign you up|go ahead|"
    r"confirm)\b[^?]*\?",
)
CALLER_YES = re.compile(
    r"^\W*(yes|yeah|yep|yup|sure|please|ok|okay|go ahead|absolutely|definitely|"
    r"of course|that would be|sounds good|perfect|great|let's)\b"
)
CALLER_NO = re.compile(
    r"^\W*(no|nope|nah|not (now|yet|right now|at (the|this) moment|today)|"
    r"maybe later|i'll pass|i don't think so|not really)\b"
)
_ACCEPTS_REACTION = (
    r"\b(that|this|it)('s| is| sounds| would be| will be| works)( really| very| just)? "
    r"(perfect|great|good|fine|wonderful|excellent|awesome|helpful|fantastic|ideal)\b",
    r"\b(good|great) (idea|suggestion|choice|recommendation)\b",
    r"\bperfect\b",
    r"\bawesome\b",
)
_ACCEPTS_EXPLICIT = (
    r"\bsounds (good|great|perfect|like a plan|interesting|fun)\b",
    r"\b(that|it) works( for me)?\b",
    r"\bthat('s| is) (all|everything|it) (i need|i needed|for (now|today))\b",
    r"\bthat('s| is) all\b",
    r"\b(you('ve| have) been|that was|that's|you were) (very |so |really )?(helpful|great|a great help)\b",
    r"\bthanks? (you )?(so much|very much|a lot)\b",
    r"\b(i'll|i will|i'd|i would) (take|book) (it|that|them)\b",
    r"\bthanks?( you)? for (your|the|all the|all your|all of your) (help|suggestions?|recommendations?|"
    r"information|info|assistance|time|ideas?)\b",
    r"\b(i'll|i will|i'm going to|i am going to|gonna|i'm gonna|i'll have to|will have to|i'll be sure to|"
    r"i'll make sure to|we'll|we will|we may|i may|i might)( definitely| probably| certainly| surely| "
    r"have to| need to)? (check|look|try|watch|give|add|take|use|visit|go with)\b",
    r"\bexactly what i\b",
    r"\bi appreciate\b",
    r"\b(have|had|got) (everything|all) i need(ed)?\b",
    r"\bgreat[,.!]? thanks?\b",
)
# Caller accepts, is satisfied, or means to act on what they were told.
CALLER_ACCEPTS = _rx(*_ACCEPTS_REACTION, *_ACCEPTS_EXPLICIT)
# Read in context: praise words ("perfect", "it's great") accept the agent's answer only as the
# caller's reaction to it, in the opening sentence of their reply; later in a story ("the last
# technician was awesome") they describe something else. Explicit acceptance ("sounds good",
# "I'll take it", "thanks for your help") counts wherever it is said.
CALLER_ACCEPTS_REACTION = _rx(*_ACCEPTS_REACTION)
CALLER_ACCEPTS_EXPLICIT = _rx(*_ACCEPTS_EXPLICIT)
# Caller turns down what was proposed.
CALLER_REJECTS = _rx(
    r"\b(that|it|this) (doesn't|does not|won't|will not|wouldn't) work( for me)?\b",
    r"\btoo (expensive|pricey|far away|late for me|early for me)\b",
    r"\bnot (really )?(my|what i('m| am)) (type|thing|"
    r"style|looking for)\b",
    r"\b(i'm|i am) not (really )?interested\b",
    r"\bnot what i('m| am) (after|"
    r"looking for)\b",
)
# Caller has to repeat or correct themselves: the agent missed what was said.
CALLER_REPEATS = _rx(
    r"\bas i (said|mentioned|told you|explained)\b",
    r"\bi (already|just) (said|told you|asked|mentioned)\b",
    r"\blet me (clarify|repeat|rephrase|say that again)\b",
    r"(?:^|\n)[^\w\n]*no[,.!]* i said\b",
    r"\b(that's|that is) not what i (asked|said|meant|wanted)\b",
    r"\bi said\b[^.?!\n]{0,40}\btry again\b",
    r"\bno,? (that's|that is) not\b",
    r"\b(that's|that is) not (right|correct)\b",
)
# Caller gives up, or says the call did not help.
CALLER_UNSATISFIED = _rx(
    r"\b(never ?mind|forget it|i give up)\b",
    r"\b(i'll|i will) (just )?(call|try) (back|again|later|someone else|somewhere else)\b",
    r"\b(you're|you are) not (helping|listening|understanding)\b",
    r"\b(not|n't) (very )?helpful\b",
    r"\b(useless|waste of (my )?time|doesn't help|didn't help|does not help|did not help)\b",
    r"\bnot interested\b",
    r"\b(that|it) doesn't answer\b",
    r"\b(this|that) is (ridiculous|absurd)\b",
    r"\b(that's|that is|it's|you('ve)? got (it|that)) (wrong|incorrect)\b",
    r"\b(speak|talk)\w* (to|with) (a |an |your |the )?(manager|supervisor|human|real person|person)\b",
)
# The agent wrapping up ("Is there anything else?"): a "No" in reply closes the call.
WRAP_UP_QUESTION = _rx(
    r"\b(anything|something) else\b",
    r"\bwhat else\b",
    r"\bany (other|more|further) (questions?|help|"
    r"assistance)\b",
    r"\b(more|further|other) (help|assistance)\b",
    r"\bstill need\b",
)
# The agent asks about the caller's situation or experience ("Have you seen…?", "Do you have a
# preference?", "Are you a member?"): "No" is then a fact, not push-back.
AGENT_ASKS_ABOUT_CALLER = _rx(
    r"\b(have|had|did) you (\w+ )?(seen|watched|heard|tried|been|used|had|called|received|gotten|got|read|"
    r"visited|checked|done|made|booked|stayed|ordered|signed)\b",
    r"\bdo you (already |currently |still )?(have|know|own|remember|live|work|need|mind)\b",
    r"\bare you (a|an|the|already|currently|still|familiar|new|calling)\b",
    r"\bis (this|it) your first\b",
)
# A caller's polite close ("No, that's all, thanks", "Nope, bye").
CALLER_CLOSING = _rx(
    r"\bthanks?\b",
    r"\bthank you\b",
    r"\bappreciate\b",
    r"\b(good ?)?bye\b",
    r"\bthat('s| is| was| will be| would be) (all|it|everything)\b",
    r"\b(i'm|i am|we're|we are) (all )?(set|good|fine)\b",
    r"\bnothing (else|more)\b",
    r"\bno (problem|worries)\b",
)
# "No preference" answers a question about the caller's wishes; it disagrees with nothing.
CALLER_NO_PREFERENCE = _rx(
    r"\b(doesn't|does not|don't|do not) (matter|mind|care)\b",
    r"\bno (preference|particular)\b",
    r"\bany(where|thing|time|one)?( is| would be| will be|'s)? (fine|ok|okay|good)\b",
    r"\beither( one)? is\b",
)
# A reply that opens by saying no, or that the agent got it wrong.
# A filler may come first ("Actually, no", "Um, no"), as speech-to-text writes it.
CALLER_SAYS_NO = re.compile(
    r"^\W*((actually|sorry|oh|um+|uh+|er+|well|wait|hmm+)\W+)?"
    r"(no|nope|nah|not (right|really|quite|exactly|now|yet|today|at the moment)|"
    r"(that's|that is|it's|it is) (not|wrong|incorrect)|wrong)\b"
)

CALLER_SAYS_WRONG = re.compile(r"^\W*(no,? )?(that's|that is|it's|it is) (not|wrong|incorrect)\b|^\W*wrong\b")


def says_no_to_agent(prompt: str | None, reply: str) -> bool:
    """Does the caller's reply (lower case) turn down or correct what the agent just said?

    "No, the 7th" after a read-back, "No, not now" after an offer: yes. "No, that's all, thanks" after
    "Anything else?", "No preference": no. Without the agent's words (`prompt` None) a "No" could be
    either, so it counts only when the reply itself says the agent was wrong.
    """
    if not CALLER_SAYS_NO.search(reply):
        return False
    if CALLER_CLOSING.search(reply) or CALLER_NO_PREFERENCE.search(reply):
        return False
    if prompt is None:
        return CALLER_SAYS_WRONG.search(reply) is not None
    return not (WRAP_UP_QUESTION.search(prompt) or AGENT_ASKS_ABOUT_CALLER.search(prompt))


# Caller asks for something other than what the agent offered: the first answer did not fit.
CALLER_WANTS_OTHER = _rx(
    r"\b(any|some) (other|more|different) (options?|choices?|alternatives?|ones?|times?|dates?|days?|slots?|"
    r"places?|suggestions?|recommendations?|results?)\b",
    r"\b(another|a different) (option|choice|alternative|one|time|date|day|slot|place|suggestion|recommendation)\b",
    r"\bmore (options|choices|alternatives|suggestions|recommendations|results)\b",
    r"\b(do you have|is there|are there|have you got|can you find|could you find) (anything|something|any ?thing) "
    r"(else|different)\b",
    r"\b(what|which) (other|else)\b",
    r"\bkeep looking\b",
    r"\bsomething different\b",
)


# What an answering machine says, heard in the transcript.
VOICEMAIL_TEXT = _rx(
    r"\bleave (a|your) (message|name)\b",
    r"\bafter the (tone|beep)\b",
    r"\bvoice ?mail\b",
    r"\bis not available (right now|at the moment)\b",
    r"\bmailbox (is )?full\b",
    r"\bthe person you (are|were) (calling|trying)\b",
)
# The platform's own summary, when it has one.
SUMMARY_DONE = _rx(
    r"\b(booked|scheduled|rescheduled|confirmed|resolved|reserved|completed|successfully|"
    r"agreed|purchased|placed|updated)\b"
)
SUMMARY_FAILED = _rx(
    r"\b(unable|could not|couldn't|did not|didn't|failed|not resolved|unresolved|"
    r"hung up|voicemail|no answer|frustrated|upset|angry|complain\w*|escalat\w*)\b"
)


@dataclass(slots=True)
class OutcomeSignals:
    """What the transcript, summary and end reason say about the outcome (counts and quotes)."""

    end_class: str | None = None
    voicemail: bool = False
    agent_done: str | None = None  # the words that matched, for the reason
    agent_more: bool = False
    agent_cannot: int = 0
    agent_cannot_quote: str | None = None
    agent_apology: str | None = None
    misunderstood: int = 0
    offers_accepted: int = 0
    offers_declined: int = 0
    caller_accepts: int = 0
    caller_accepts_quote: str | None = None
    caller_rejects: int = 0
    caller_rejects_quote: str | None = None
    caller_repeats: int = 0
    caller_repeats_quote: str | None = None
    caller_unsatisfied: int = 0
    caller_unsatisfied_quote: str | None = None
    agent_answers: int = 0  # agent turns that follow a caller turn
    agent_cannot_recovered: int = 0  # of agent_cannot, those before the agent confirmed a task done
    caller_pushed_back: int = 0  # caller turned down or corrected what the agent said ("No, the 7th")
    caller_pushed_back_quote: str | None = None
    caller_wants_other: int = 0  # caller asked for other options
    caller_wants_other_quote: str | None = None
    caller_thanks_at_end: bool = False
    unanswered_question: bool = False  # the call ended on the caller's question
    summary_done: bool = False
    summary_failed: bool = False


_BOUNDARY = ".?!\n"


def sentence_at(text: str, start: int, end: int, limit: int = 80) -> str:
    """The sentence of `text` around [start, end), clipped to about `limit` characters."""
    a = max(text.rfind(c, 0, start) for c in _BOUNDARY) + 1
    ends = [i for i in (text.find(c, end) for c in _BOUNDARY) if i >= 0]
    b = min(ends) + 1 if ends else len(text)
    if text[b - 1 : b] == "\n":
        b -= 1
    sentence = " ".join(text[a:b].split())
    if len(sentence) > limit:
        # Keep the matched words in view.
        match = " ".join(text[start:end].split())
        i = sentence.find(match)
        lo = max(0, min(i, len(sentence) - limit)) if i >= 0 else 0
        sentence = ("\u2026" if lo else "") + sentence[lo : lo + limit].strip() + "\u2026"
    return sentence


class _Text:
    """A side of the conversation: original text for quotes, lower case for matching."""

    __slots__ = ("low", "orig")

    def __init__(self, orig: str):
        low = orig.lower()
        self.low = low
        # lower() keeps positions for nearly all text; where it does not, quote the lower case.
        self.orig = orig if len(low) == len(orig) else low

    def quote(self, m: re.Match[str]) -> str:
        return sentence_at(self.orig, m.start(), m.end())


def _first_sentence_end(low: str) -> int:
    ends = [i for i in (low.find(c) for c in ".?!\n") if i >= 0]
    return min(ends) if ends else len(low)


def _scan(pattern: re.Pattern[str], text: _Text) -> tuple[int, str | None]:
    """How many times the pattern occurs, and the sentence of its last occurrence."""
    last = None
    n = 0
    for m in pattern.finditer(text.low):
        n += 1
        last = m
    return n, (text.quote(last) if last else None)


@dataclass(slots=True)
class Reply:
    """One caller turn, read as the answer to what the agent said just before it."""

    text: _Text
    after_no: bool = False  # the agent had just said it could not do something
    offer_accepted: bool = False  # the agent had just proposed an action ("Shall I book it?")
    offer_declined: bool = False
    push_back: bool = False  # turned down or corrected what the agent said ("No, the 7th"), offers included
    accepts: int = 0  # acceptances: explicit anywhere, praise words only as the opening reaction
    accepts_quote: str | None = None
    wants_other: str | None = None  # the sentence asking for other options


@dataclass(slots=True)
class Exchanges:
    """The call read turn by turn: each caller reply in context, and the agent's "no" answers."""

    replies: list[Reply]
    agent_answers: int = 0  # agent turns that answer a caller turn
    agent_no: int = 0  # of those, how many said it could not do what was asked
    agent_no_quote: str | None = None
    agent_no_recovered: int = 0  # of those, how many came before the agent later confirmed a task done


def _agent_says_no(low: str) -> re.Match[str] | None:
    return AGENT_CANNOT.search(low) or AGENT_SAYS_NO.search(low)


def read_exchanges(spoken: list[tuple[str, str]]) -> Exchanges:
    """Pair each caller turn with the agent turn before it (spoken: (role, text) in call order)."""
    ex = Exchanges([])
    prompt: str | None = None  # lower case
    prompt_no = False
    caller_before = False
    for role, text in spoken:
        if role == "agent":
            low = text.lower()
            prompt, prompt_no = low, False
            if caller_before:
                ex.agent_answers += 1
                m = _agent_says_no(low)
                if m:
                    prompt_no = True
                    ex.agent_no += 1
                    ex.agent_no_quote = sentence_at(text if len(text) == len(low) else low, m.start(), m.end())
            if ex.agent_no > ex.agent_no_recovered and AGENT_DONE.search(low):
                # Done after all: the earlier "no"s were worked around (a different time, another place).
                ex.agent_no_recovered = ex.agent_no - (1 if prompt_no else 0)
            caller_before = False
            continue
        caller_before = True
        t = _Text(text.strip())
        reply = t.low
        r = Reply(t, after_no=prompt_no)
        offer = (
            prompt is not None
            and "?" in prompt
            and "anything else" not in prompt
            and "something else" not in prompt
            and AGENT_OFFER.search(prompt) is not None
        )
        if offer and CALLER_NO.search(reply):
            r.offer_declined = r.push_back = True
        elif offer and CALLER_YES.search(reply):
            r.offer_accepted = True
        elif says_no_to_agent(prompt, reply):
            r.push_back = True
        first_end = _first_sentence_end(reply)
        last = None
        for m in CALLER_ACCEPTS.finditer(reply):
            if m.start() < first_end or CALLER_ACCEPTS_EXPLICIT.match(reply, m.start()):
                r.accepts += 1
                last = m
        if last:
            r.accepts_quote = t.quote(last)
        m = CALLER_WANTS_OTHER.search(reply)
        if m:
            r.wants_other = t.quote(m)
        ex.replies.append(r)
        prompt, prompt_no = None, False
    return ex


def detect_outcome(
    spoken: list[tuple[str, str]], end_reason: str | None, summary: str | None, exchanges: Exchanges | None = None
) -> OutcomeSignals:
    """Scan the spoken turns (role "agent"|"user", text; in call order), summary and end reason.

    `exchanges` is `read_exchanges(spoken)` when the caller already has it.
    """
    s = OutcomeSignals(end_class=classify_end_reason(end_reason))
    s.voicemail = is_voicemail_reason(end_reason)
    agent_turns = [t for r, t in spoken if r == "agent"]
    caller_turns = [t for r, t in spoken if r == "user"]
    agent = _Text("\n".join(agent_turns))
    caller = _Text("\n".join(caller_turns))
    # An answering machine is transcribed as the caller in outbound calls.
    if not s.voicemail and 0 < len(caller_turns) <= 2 and VOICEMAIL_TEXT.search(caller_turns[0].lower()):
        s.voicemail = True
    m = AGENT_DONE.search(agent.low)
    if m:
        s.agent_done = agent.quote(m)
    s.agent_more = AGENT_MORE.search(agent.low) is not None
    m = AGENT_APOLOGY.search(agent.low)
    if m:
        s.agent_apology = agent.quote(m)
    s.misunderstood, _ = _scan(AGENT_MISUNDERSTOOD, agent)
    s.caller_rejects, s.caller_rejects_quote = _scan(CALLER_REJECTS, caller)
    s.caller_repeats, s.caller_repeats_quote = _scan(CALLER_REPEATS, caller)
    s.caller_unsatisfied, s.caller_unsatisfied_quote = _scan(CALLER_UNSATISFIED, caller)
    if caller_turns:
        last = caller_turns[-1].lower()
        s.caller_thanks_at_end = "thank" in last or "appreciate" in last
    # Turn by turn: the agent's "no" answers, and each caller reply read against what the agent
    # had just said (offers taken or turned down, other push-back, acceptance, other options).
    ex = exchanges if exchanges is not None else read_exchanges(spoken)
    s.agent_answers, s.agent_cannot, s.agent_cannot_quote = ex.agent_answers, ex.agent_no, ex.agent_no_quote
    s.agent_cannot_recovered = ex.agent_no_recovered
    for r in ex.replies:
        if r.offer_declined:
            s.offers_declined += 1
        elif r.offer_accepted:
            s.offers_accepted += 1
        elif r.push_back:
            s.caller_pushed_back += 1
            s.caller_pushed_back_quote = sentence_at(r.text.orig, 0, 0)
        if r.accepts:
            s.caller_accepts += r.accepts
            s.caller_accepts_quote = r.accepts_quote
        if r.wants_other:
            s.caller_wants_other += 1
            s.caller_wants_other_quote = r.wants_other
    if spoken and spoken[-1][0] == "user" and spoken[-1][1].rstrip().endswith("?"):
        s.unanswered_question = True
    if summary:
        low = summary.lower()
        s.summary_done = SUMMARY_DONE.search(low) is not None
        s.summary_failed = SUMMARY_FAILED.search(low) is not None
    return s

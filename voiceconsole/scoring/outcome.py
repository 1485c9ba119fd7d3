"""Did the call achieve its objective? Signals from the end reason and the transcript.

The platform's own success flag, when present, is the primary answer (see categories.outcome);
these detectors are the local fallback and add nuance either way. End reasons are classified
from all three platforms' vocabularies (Retell `disconnection_reason`, Vapi `endedReason`,
ElevenLabs `termination_reason`, which is free text); unknown values fall through as "other".
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
    "dial_no_answer", "dial_busy", "dial_failed", "user_declined", "invalid_destination",
    "marked_as_spam", "registered_call_timeout", "error_user_not_joined",
    "customer-busy", "customer-did-not-answer", "customer-did-not-give-microphone-permission",
    "twilio-failed-to-connect-call", "twilio-reported-customer-misdialed", "vonage-rejected",
    "manually-canceled", "call-deleted", "scheduled-call-deleted", "no_valid_payment",
    "concurrency_limit_reached", "no_concurrency_fallback", "scam_detected",
    "telephony_provider_permission_denied", "telephony_provider_unavailable", "sip_routing_error",
}
_TRANSFER_FAILED = {"transfer_cancelled", "call.in-progress.error-transfer-failed"}
_TRANSFER = {"call_transfer", "transfer_bridged", "assistant-forwarded-call", "call_take_over"}
_SILENCE = {"inactivity", "silence-timed-out", "error_no_audio_received"}
_MAX_DURATION = {"max_duration_reached", "exceeded-max-duration"}
_CALLER_HANGUP = {"user_hangup", "customer-ended-call"}
_AGENT_HANGUP = {
    "agent_hangup", "assistant-ended-call", "assistant-said-end-call-phrase",
    "assistant-ended-call-with-hangup-task", "assistant-ended-call-after-message-spoken",
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
    if (r.startswith(("error", "pipeline-error", "call.start.error", "call.in-progress.error",
                      "call.ringing.error", "call.forwarding.error"))
            or "error" in r or "failed" in r or "failure" in r):
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
    if ("client disconnected" in r or "user hung" in r or "caller hung" in r or "remote party" in r
            or "customer ended" in r or "user ended" in r or "hangup" in r or "hung up" in r):
        return CALLER_HANGUP
    return OTHER


def is_voicemail_reason(reason: str | None) -> bool:
    return bool(reason) and (reason.strip().lower() in _VOICEMAIL or "voicemail" in reason.lower())


def _rx(*alternatives: str) -> re.Pattern[str]:
    # Patterns are lower case and run on lower-cased text (twice as fast as re.IGNORECASE).
    return re.compile("|".join(f"(?:{a})" for a in alternatives))


# Agent confirms that the task was done: booked, scheduled, sent, updated, resolved.
AGENT_DONE = _rx(
    r"\byou('re| are) all set\b", r"\b(is|are|has been|have been|was|were) (now )?(confirmed|booked|"
    r"scheduled|reserved|rescheduled|updated|processed|cancell?ed|resolved|submitted|registered)\b",
    r"\bi('ve| have)( now| just| also)? (booked|scheduled|reserved|confirmed|sent|updated|rescheduled|"
    r"processed|submitted|cancell?ed|set up|placed|added|made)\b",
    r"\b(booking|reservation|confirmation|reference|order|ticket|case) (number|code|id) is\b",
    r"\b(your|the) (booking|reservation|appointment|order|ticket|transfer|payment|request) (is|was) "
    r"(successful|complete|confirmed|done|set)\b",
    r"\b(booking|reservation) was successful\b", r"\bsuccessfully (booked|scheduled|reserved|"
    r"made|placed|updated|cancell?ed|processed)\b",
    r"\bi was able to (book|schedule|reserve|get|find)\b", r"\bwe('ll| will) see you (on|at|then)\b",
)
# Agent offers more help, which it does once the main request is handled.
AGENT_MORE = _rx(
    r"\banything else (i|we) can (help|do|assist)\b", r"\bis there anything else\b",
    r"\b(can|may) i (help|assist) (you )?with anything else\b", r"\banything else (today|for you)\b",
    r"\bdo you need (anything|help with anything) else\b", r"\bwhat else can i\b",
)
# Agent cannot do what was asked: an apology with a negation in the same sentence, or a plain
# "I couldn't book", "no availability", "booking was unsuccessful".
AGENT_CANNOT = _rx(
    r"\b(sorry|afraid|unfortunately)\b[^.?!\n]{0,40}?\b(can't|cannot|couldn't|could not|unable|not able|"
    r"don't|do not|doesn't|does not|isn't|is not|aren't|are not|wasn't|weren't|no|none|nothing|"
    r"unavailable|unsuccessful)\b",
    r"\b(i|we) (was|were|am|are) (unable|not able) to\b", r"\b(i|we) (wasn't|weren't) able to\b",
    r"\b(i|we) (can't|cannot|couldn't|could not) (book|find|help|do|schedule|reserve|process|locate|get|"
    r"make|access|see|confirm)\b",
    r"\b(booking|reservation|payment|transaction|request|transfer) (was|is|has been) (unsuccessful|"
    r"declined|denied|rejected|not successful)\b",
    r"\b(no|none) (availability|results|matches|openings|slots|vacancies)\b", r"\bfully booked\b",
    r"\bno longer available\b",
    # A turn that opens with a bare "No" answers the caller's "Do you have…?" negatively.
    r"(?:^|\n)[^\w\n]*no\b(?!\s+(problem|worries|trouble))[,.!]",
)
# Agent apologises for not having helped: it knows the call failed.
AGENT_APOLOGY = _rx(
    r"\bsorry (that )?(i|we) (wasn't|weren't|was not|were not|couldn't|could not|can't|cannot) (be )?"
    r"(of )?(more |much |very |any |a lot of |a big )?(help|helpful|assistance)\b",
)
# Agent misunderstood (ASR or intent failures): each one is friction for the caller.
AGENT_MISUNDERSTOOD = _rx(
    r"\bsorry,? (i )?(didn't|did not|couldn't|could not) (quite )?(catch|hear|understand|get) (that|you)\b",
    r"\b(could|can) you (please )?(repeat|say) that( again)?\b", r"\bi('m| am) not sure (i|what you)\b",
    r"\bi don't understand\b",
)
# Agent proposes an action ("Shall I book it?"); the caller's answer says whether it converted.
AGENT_OFFER = _rx(
    r"\b(would you like|do you want|shall i|should i|can i|may i|want me to|would you like me to|"
    r"how about i)\b[^?]{0,60}?\b(book|reserve|schedule|buy|purchase|order|make (a|the|your) "
    r"(reservation|booking|appointment)|set (it|that|this|one|you) up|sign you up|go ahead|"
    r"confirm)\b[^?]*\?",
)
CALLER_YES = re.compile(r"^\W*(yes|yeah|yep|yup|sure|please|ok|okay|go ahead|absolutely|definitely|"
                        r"of course|that would be|sounds good|perfect|great|let's)\b")
CALLER_NO = re.compile(r"^\W*(no|nope|nah|not (now|yet|right now|at (the|this) moment|today)|"
                       r"maybe later|i'll pass|i don't think so|not really)\b")
# Caller accepts, is satisfied, or means to act on what they were told.
CALLER_ACCEPTS = _rx(
    r"\b(that|this|it)('s| is| sounds| would be| will be| works)( really| very| just)? "
    r"(perfect|great|good|fine|wonderful|excellent|awesome|helpful|fantastic|ideal)\b",
    r"\bsounds (good|great|perfect|like a plan|interesting|fun)\b", r"\b(that|it) works( for me)?\b",
    r"\bthat('s| is) (all|everything|it) (i need|i needed|for (now|today))\b", r"\bthat('s| is) all\b",
    r"\b(you('ve| have) been|that was|that's|you were) (very |so |really )?(helpful|great|a great help)\b",
    r"\bthanks? (you )?(so much|very much|a lot)\b", r"\b(i'll|i will|i'd|i would) (take|book) (it|that|them)\b",
    r"\bthanks?( you)? for (your|the|all the|all your|all of your) (help|suggestions?|recommendations?|"
    r"information|info|assistance|time|ideas?)\b",
    r"\b(i'll|i will|i'm going to|i am going to|gonna|i'm gonna|i'll have to|will have to|i'll be sure to|"
    r"i'll make sure to|we'll|we will|we may|i may|i might)( definitely| probably| certainly| surely| "
    r"have to| need to)? (check|look|try|watch|give|add|take|use|visit|go with)\b",
    r"\b(good|great) (idea|suggestion|choice|recommendation)\b", r"\bperfect\b", r"\bawesome\b",
    r"\bexactly what i\b", r"\bi appreciate\b", r"\b(have|had|got) (everything|all) i need(ed)?\b",
    r"\bgreat[,.!]? thanks?\b",
)
# Caller turns down what was proposed.
CALLER_REJECTS = _rx(
    r"\b(that|it|this) (doesn't|does not|won't|will not|wouldn't) work( for me)?\b",
    r"\btoo (expensive|pricey|far away|late for me|early for me)\b", r"\bnot (really )?(my|what i('m| am)) (type|thing|"
    r"style|looking for)\b", r"\b(i'm|i am) not (really )?interested\b", r"\bnot what i('m| am) (after|"
    r"looking for)\b",
)
# Caller has to repeat or correct themselves: the agent missed what was said.
CALLER_REPEATS = _rx(
    r"\bas i (said|mentioned|told you|explained)\b", r"\bi (already|just) (said|told you|asked|mentioned)\b",
    r"\blet me (clarify|repeat|rephrase|say that again)\b", r"(?:^|\n)[^\w\n]*no[,.!]* i said\b",
    r"\b(that's|that is) not what i (asked|said|meant|wanted)\b", r"\bi said\b[^.?!\n]{0,40}\btry again\b",
    r"\bno,? (that's|that is) not\b", r"\b(that's|that is) not (right|correct)\b",
)
# Caller gives up, or says the call did not help.
CALLER_UNSATISFIED = _rx(
    r"\b(never ?mind|forget it|i give up)\b",
    r"\b(i'll|i will) (just )?(call|try) (back|again|later|someone else|somewhere else)\b",
    r"\b(you're|you are) not (helping|listening|understanding)\b", r"\b(not|n't) (very )?helpful\b",
    r"\b(useless|waste of (my )?time|doesn't help|didn't help|does not help|did not help)\b",
    r"\bnot interested\b", r"\b(that|it) doesn't answer\b", r"\b(this|that) is (ridiculous|absurd)\b",
    r"\b(that's|that is|it's|you('ve)? got (it|that)) (wrong|incorrect)\b",
    r"\b(speak|talk)\w* (to|with) (a |an |your |the )?(manager|supervisor|human|real person|person)\b",
)
# What an answering machine says, heard in the transcript.
VOICEMAIL_TEXT = _rx(
    r"\bleave (a|your) (message|name)\b", r"\bafter the (tone|beep)\b", r"\bvoice ?mail\b",
    r"\bis not available (right now|at the moment)\b", r"\bmailbox (is )?full\b",
    r"\bthe person you (are|were) (calling|trying)\b",
)
# The platform's own summary, when it has one.
SUMMARY_DONE = _rx(r"\b(booked|scheduled|rescheduled|confirmed|resolved|reserved|completed|successfully|"
                   r"agreed|purchased|placed|updated)\b")
SUMMARY_FAILED = _rx(r"\b(unable|could not|couldn't|did not|didn't|failed|not resolved|unresolved|"
                     r"hung up|voicemail|no answer|frustrated|upset|angry|complain\w*|escalat\w*)\b")


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
    if text[b - 1:b] == "\n":
        b -= 1
    sentence = " ".join(text[a:b].split())
    if len(sentence) > limit:
        # Keep the matched words in view.
        match = " ".join(text[start:end].split())
        i = sentence.find(match)
        lo = max(0, min(i, len(sentence) - limit)) if i >= 0 else 0
        sentence = ("\u2026" if lo else "") + sentence[lo:lo + limit].strip() + "\u2026"
    return sentence


class _Text:
    """A side of the conversation: original text for quotes, lower case for matching."""

    __slots__ = ("orig", "low")

    def __init__(self, orig: str):
        low = orig.lower()
        self.low = low
        # lower() keeps positions for nearly all text; where it does not, quote the lower case.
        self.orig = orig if len(low) == len(orig) else low

    def quote(self, m: re.Match[str]) -> str:
        return sentence_at(self.orig, m.start(), m.end())


def _scan(pattern: re.Pattern[str], text: _Text) -> tuple[int, str | None]:
    """How many times the pattern occurs, and the sentence of its last occurrence."""
    last = None
    n = 0
    for m in pattern.finditer(text.low):
        n += 1
        last = m
    return n, (text.quote(last) if last else None)


def detect_outcome(spoken: list[tuple[str, str]], end_reason: str | None,
                   summary: str | None) -> OutcomeSignals:
    """Scan the spoken turns (role "agent"|"user", text; in call order), summary and end reason."""
    s = OutcomeSignals(end_class=classify_end_reason(end_reason))
    s.voicemail = is_voicemail_reason(end_reason)
    agent_turns = [t for r, t in spoken if r == "agent"]
    caller_turns = [t for r, t in spoken if r == "user"]
    agent = _Text("\n".join(agent_turns))
    caller = _Text("\n".join(caller_turns))
    if not s.voicemail and 0 < len(caller_turns) <= 2:
        # An answering machine is transcribed as the caller in outbound calls.
        if VOICEMAIL_TEXT.search(caller_turns[0].lower()):
            s.voicemail = True
    m = AGENT_DONE.search(agent.low)
    if m:
        s.agent_done = agent.quote(m)
    s.agent_more = AGENT_MORE.search(agent.low) is not None
    s.agent_cannot, s.agent_cannot_quote = _scan(AGENT_CANNOT, agent)
    m = AGENT_APOLOGY.search(agent.low)
    if m:
        s.agent_apology = agent.quote(m)
    s.misunderstood, _ = _scan(AGENT_MISUNDERSTOOD, agent)
    s.caller_accepts, s.caller_accepts_quote = _scan(CALLER_ACCEPTS, caller)
    s.caller_rejects, s.caller_rejects_quote = _scan(CALLER_REJECTS, caller)
    s.caller_repeats, s.caller_repeats_quote = _scan(CALLER_REPEATS, caller)
    s.caller_unsatisfied, s.caller_unsatisfied_quote = _scan(CALLER_UNSATISFIED, caller)
    if caller_turns:
        last = caller_turns[-1].lower()
        s.caller_thanks_at_end = "thank" in last or "appreciate" in last
    # Offers and the caller's answer to each.
    for i in range(len(spoken) - 1):
        role, text = spoken[i]
        if role != "agent" or "?" not in text:
            continue
        low = text.lower()
        if "anything else" in low or "something else" in low or not AGENT_OFFER.search(low):
            continue
        nxt_role, reply = spoken[i + 1]
        if nxt_role != "user":
            continue
        reply = reply.lower()
        if CALLER_NO.search(reply):
            s.offers_declined += 1
        elif CALLER_YES.search(reply):
            s.offers_accepted += 1
    if spoken and spoken[-1][0] == "user" and spoken[-1][1].rstrip().endswith("?"):
        s.unanswered_question = True
    if summary:
        low = summary.lower()
        s.summary_done = SUMMARY_DONE.search(low) is not None
        s.summary_failed = SUMMARY_FAILED.search(low) is not None
    return s

"""Coaching (DESIGN.md §7): what went well and what went wrong in a call, at concrete moments.

Each insight names the moment (seconds into the call, when the transcript is timed), quotes it,
and for a problem says what the agent should have said instead. Two coaches give the same shape:

- `local_coaching` reads the transcript's timing and wording (long monologues, slow answers,
  talking over the caller, dead air, a missed objective, the caller's mood turning, greeting and
  closing). Pure and fast: the web process runs it inline.
- `AiCoach` asks the configured LLM (workers only) and keeps only insights whose quote is really in
  the transcript; their time comes from the transcript line quoted, not from the model.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from statistics import median
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from voiceconsole.scoring import outcome as oc
from voiceconsole.scoring.categories import LATENCY_SLOW_MS, MONOLOGUE_S, SILENCE_S, fmt_seconds
from voiceconsole.scoring.llm_judge import (
    Line,
    LlmClient,
    LlmError,
    call_facts,
    format_transcript,
    transcript_lines,
)
from voiceconsole.scoring.scorer import ScoringInput
from voiceconsole.scoring.sentiment import _LEADING_NO, ESCALATIONS, analyzer

LOCAL_VERSION = "coach-local-1"
AI_VERSION = "coach-ai-1"
MAX_INSIGHTS = 8  # per list
QUOTE_CHARS = 140
OVERLAP_TOLERANCE_S = 0.3
SLOW_ANSWER_S = 3.0  # a single wait this long is worth a coaching note
MONOLOGUE_WORDS = 75  # untimed transcripts: about 30 s of speech

GREETING = re.compile(
    r"\b(hello|hi|hey|good (morning|afternoon|evening)|thanks? (you )?for (calling|holding)|"
    r"welcome|this is|speaking|my name is|you('ve| have) reached)\b"
)
CLOSING = re.compile(
    r"\b(anything else|have a (great|good|nice|wonderful|lovely)|good ?bye|bye|take care|"
    r"thanks? (you )?for (calling|your time|reaching|choosing|contacting)|talk (to you )?soon|"
    r"see you|speak soon)\b"
)


@dataclass(slots=True)
class Insight:
    kind: str  # machine-readable: long_monologue, slow_response, greeting, …
    title: str
    detail: str
    at: float | None  # seconds into the call
    quote: str | None
    speaker: str | None = None  # agent | caller
    suggestion: str | None = None  # what the agent should have said (problems only)

    def wire(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "title": self.title,
            "detail": self.detail,
            "at": round(self.at, 1) if self.at is not None else None,
            "quote": self.quote,
            "speaker": self.speaker,
            "suggestion": self.suggestion,
        }


@dataclass(slots=True)
class CoachingResult:
    mode: str  # local | ai
    version: str
    summary: str
    went_well: list[Insight] = field(default_factory=list)
    went_wrong: list[Insight] = field(default_factory=list)
    model: str | None = None
    fallback: str | None = None  # why an AI attempt fell back to local coaching

    def content(self) -> dict[str, Any]:
        """JSON for the cache and the API (camelCase)."""
        out: dict[str, Any] = {
            "mode": self.mode,
            "version": self.version,
            "summary": self.summary,
            "wentWell": [i.wire() for i in self.went_well],
            "wentWrong": [i.wire() for i in self.went_wrong],
        }
        if self.model:
            out["model"] = self.model
        if self.fallback:
            out["fallback"] = self.fallback
        return out


def _clip(text: str, n: int = QUOTE_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "\u2026"


def _speaker(role: str) -> str:
    return "agent" if role == "agent" else "caller"


def _sentence_of(line: Line, m: re.Match[str]) -> str:
    return oc.sentence_at(line.text, m.start(), m.end(), limit=QUOTE_CHARS)


def _first_words(text: str, n: int = 20) -> str:
    words = text.split()
    return " ".join(words[:n]) + ("\u2026" if len(words) > n else "")


def _by_time(items: list[Insight]) -> list[Insight]:
    return sorted(items, key=lambda i: (i.at is None, i.at or 0.0))


def _find(
    pattern: re.Pattern[str], lines: list[Line], role: str, *, last: bool = False
) -> tuple[Line, re.Match] | None:
    found = None
    for ln in lines:
        if ln.role != role:
            continue
        m = pattern.search(ln.text.lower())
        if m:
            if not last:
                return ln, m
            found = (ln, m)
    return found


# --- Local coaching ------------------------------------------------------------------------------


def local_coaching(inp: ScoringInput) -> CoachingResult:
    """Coaching from the transcript's timing and wording alone."""
    lines = transcript_lines(inp)
    if not lines:
        return CoachingResult("local", LOCAL_VERSION, "No transcript: nothing to coach on.")
    well: list[Insight] = []
    wrong: list[Insight] = []
    agent_lines = [ln for ln in lines if ln.role == "agent"]
    caller_lines = [ln for ln in lines if ln.role == "user"]
    signals = oc.detect_outcome([(ln.role, ln.text) for ln in lines], inp.end_reason, inp.summary)
    if signals.voicemail or signals.end_class == oc.NOT_CONNECTED or not caller_lines or not agent_lines:
        who = "voicemail" if signals.voicemail else "no conversation"
        return CoachingResult("local", LOCAL_VERSION, f"The call reached {who}: nothing to coach on.")

    _greeting_and_closing(lines, agent_lines, signals, well, wrong)
    _objective(lines, inp, signals, well, wrong)
    _mood(caller_lines, well, wrong)
    timed = lines[0].start is not None
    if timed:
        _timing(lines, well, wrong)
    _monologue(lines, timed, wrong)

    well, wrong = _by_time(well)[:MAX_INSIGHTS], _by_time(wrong)[:MAX_INSIGHTS]
    if len(lines) <= 2:
        summary = "Very short call: only one exchange, so there is little to coach on."
    elif wrong:
        good = (
            f"{len(well)} thing{'s' if len(well) != 1 else ''} went well" if well else "Nothing stood out as done well"
        )
        summary = f"{good}; {len(wrong)} to work on, starting with: {wrong[0].title.lower()}."
    else:
        summary = f"A clean call: {len(well)} thing{'s' if len(well) != 1 else ''} went well and nothing to fix."
    return CoachingResult("local", LOCAL_VERSION, summary, well, wrong)


def _greeting_and_closing(
    lines: list[Line], agent_lines: list[Line], signals: oc.OutcomeSignals, well: list[Insight], wrong: list[Insight]
) -> None:
    first = agent_lines[0]
    if GREETING.search(first.text.lower()):
        well.append(
            Insight(
                "greeting", "Warm opening", "The agent opened with a greeting.", first.start, _clip(first.text), "agent"
            )
        )
    else:
        wrong.append(
            Insight(
                "no_greeting",
                "No greeting",
                "The agent started without a greeting or saying who it is.",
                first.start,
                _clip(first.text),
                "agent",
                "Open with a greeting, who you are and an offer to help: \u201cThanks for calling, this is Ava. "
                "How can I help you today?\u201d",
            )
        )
    last = agent_lines[-1]
    if last is first:
        return  # one agent line: its greeting is not a closing, and a lone line says nothing more
    if CLOSING.search(last.text.lower()):
        well.append(
            Insight(
                "closing", "Clear closing", "The agent closed the call politely.", last.start, _clip(last.text), "agent"
            )
        )
    elif lines[-1].role == "agent" or signals.end_class == oc.AGENT_HANGUP:
        # The agent had the last word and did not close; a caller hanging up mid-call is another matter.
        wrong.append(
            Insight(
                "no_closing",
                "No closing",
                "The call ended without a recap, an offer of more help or a goodbye.",
                last.start,
                _clip(last.text),
                "agent",
                "Confirm the next step and close: \u201cYou're all set. Is there anything else I can help with? "
                "Thanks for calling, have a great day!\u201d",
            )
        )


def _objective(
    lines: list[Line], inp: ScoringInput, signals: oc.OutcomeSignals, well: list[Insight], wrong: list[Insight]
) -> None:
    done = _find(oc.AGENT_DONE, lines, "agent")
    if done:
        ln, m = done
        well.append(
            Insight(
                "objective_done",
                "Got the job done",
                "The agent confirmed the task was done.",
                ln.start,
                _sentence_of(ln, m),
                "agent",
            )
        )
    elif inp.successful is True:
        well.append(
            Insight("objective_done", "Objective achieved", "The platform marked the call successful.", None, None)
        )
    accepted = _find(oc.CALLER_ACCEPTS, lines, "user", last=True)
    if accepted:
        ln, m = accepted
        well.append(
            Insight(
                "caller_satisfied",
                "Caller was satisfied",
                "The caller accepted the answer.",
                ln.start,
                _sentence_of(ln, m),
                "caller",
            )
        )
    more = _find(oc.AGENT_MORE, lines, "agent")
    if more and not (accepted is None and done is None):
        ln, m = more
        well.append(
            Insight(
                "offered_more",
                "Offered more help",
                "The agent checked whether anything else was needed.",
                ln.start,
                _sentence_of(ln, m),
                "agent",
            )
        )

    cannot = _find(oc.AGENT_CANNOT, lines, "agent")
    if cannot:
        ln, m = cannot
        wrong.append(
            Insight(
                "missed_objective",
                "Dead end for the caller",
                "The agent said it could not do what was asked.",
                ln.start,
                _sentence_of(ln, m),
                "agent",
                "Offer an alternative instead of stopping at \u201cno\u201d: \u201cI can't do Saturday, but I have "
                "Friday at 4 or Monday at 9. Would either work?\u201d",
            )
        )
    apology = _find(oc.AGENT_APOLOGY, lines, "agent")
    if apology and not cannot:
        ln, m = apology
        wrong.append(
            Insight(
                "missed_objective",
                "Caller left without help",
                "The agent apologised for not being able to help.",
                ln.start,
                _sentence_of(ln, m),
                "agent",
                "Give the caller a next step: \u201cI'll have someone from the team call you back today "
                "with an answer.\u201d",
            )
        )
    if inp.successful is False and not (cannot or apology):
        wrong.append(
            Insight(
                "missed_objective",
                "Objective missed",
                "The platform marked the call unsuccessful.",
                None,
                None,
                None,
                "Before ending, restate what the caller needs and agree on a next step with them.",
            )
        )
    misheard = _find(oc.AGENT_MISUNDERSTOOD, lines, "agent")
    repeats = _find(oc.CALLER_REPEATS, lines, "user")
    if repeats:
        ln, m = repeats
        wrong.append(
            Insight(
                "caller_repeated",
                "Caller had to repeat themselves",
                "The agent missed something the caller had said.",
                ln.start,
                _sentence_of(ln, m),
                "caller",
                "Confirm details back as you hear them: \u201cJust to confirm, that's Maria Lopez, L-O-P-E-Z?\u201d",
            )
        )
    elif misheard:
        ln, m = misheard
        wrong.append(
            Insight(
                "misunderstood",
                "Did not understand the caller",
                "The agent asked the caller to repeat.",
                ln.start,
                _sentence_of(ln, m),
                "agent",
                "Repeat back what you did catch and ask about the rest: \u201cI got Tuesday. Which time did "
                "you say?\u201d",
            )
        )
    last = lines[-1]
    if signals.unanswered_question and last.role == "user":
        wrong.append(
            Insight(
                "unanswered_question",
                "Question left unanswered",
                "The call ended on the caller's question.",
                last.start,
                _clip(last.text),
                "caller",
                "Answer before ending, or promise a follow-up: \u201cGood question. Let me find out and call you back "
                "within the hour.\u201d",
            )
        )


def _mood(caller_lines: list[Line], well: list[Insight], wrong: list[Insight]) -> None:
    an = analyzer()
    was_ok = False
    flagged: Line | None = None
    for ln in caller_lines:
        low = ln.text.lower()
        rated = _LEADING_NO.sub("", ln.text, count=1)  # a bare "No, …" answer is not a feeling
        compound = an.polarity_scores(rated)["compound"] if rated else 0.0
        escalation = next(((m, why) for p, _, why in ESCALATIONS if (m := p.search(low))), None)
        if flagged is None and (escalation or compound <= -0.4):
            quote = _clip(ln.text)
            if escalation:
                m = escalation[0]
                quote = oc.sentence_at(ln.text, m.start(), m.end(), limit=QUOTE_CHARS)
            detail = f"{escalation[1]}." if escalation else "The caller's words turned negative here."
            title = "Caller's mood turned negative" if was_ok else "Caller was upset"
            wrong.append(
                Insight(
                    "negative_turn",
                    title,
                    detail,
                    ln.start,
                    quote,
                    "caller",
                    "Acknowledge the feeling before solving: \u201cI'm sorry about that, I understand how frustrating "
                    "it is. Here's what I can do right now: \u2026\u201d",
                )
            )
            flagged = ln
        if compound > -0.05 and not escalation:
            was_ok = True
    # Asking for a person is its own moment: the agent lost the caller's trust.
    person = ESCALATIONS[0][0]
    asked = next(((ln, m) for ln in caller_lines if (m := person.search(ln.text.lower()))), None)
    if asked and asked[0] is not flagged:
        ln, m = asked
        wrong.append(
            Insight(
                "escalation",
                "Caller asked for a person",
                "The caller wanted to speak to someone else.",
                ln.start,
                oc.sentence_at(ln.text, m.start(), m.end(), limit=QUOTE_CHARS),
                "caller",
                "Offer a concrete fix or a warm handoff: \u201cI can have a manager call you back within the hour. "
                "What number is best?\u201d",
            )
        )
    end = caller_lines[-1]
    end_score = an.polarity_scores(end.text)["compound"]
    if end_score >= 0.3 and not any(p.search(end.text.lower()) for p, _, _ in ESCALATIONS):
        well.append(
            Insight(
                "positive_end",
                "Ended on a positive note",
                "The caller's last words were positive.",
                end.start,
                _clip(end.text),
                "caller",
            )
        )


def _timing(lines: list[Line], well: list[Insight], wrong: list[Insight]) -> None:
    waits: list[tuple[float, Line, Line]] = []  # (seconds, caller line, agent answer)
    talked_over: list[tuple[Line, Line]] = []  # (caller line, agent line)
    longest_gap, gap_line = 0.0, None
    floor_end: float | None = None
    # (line, start, end): transcript_lines times every line of a timed transcript, and this runs on those only.
    spans = [(ln, ln.start, ln.end) for ln in lines if ln.start is not None and ln.end is not None]
    for (prev, _, prev_end), (ln, start, end) in pairwise(spans):
        if ln.role == "agent" and prev.role == "user" and prev.end_known:
            if start >= prev_end - OVERLAP_TOLERANCE_S:
                waits.append((max(0.0, start - prev_end), prev, ln))
            elif ln.end_known and end > prev_end:
                talked_over.append((prev, ln))
    for ln, start, end in spans:
        if floor_end is not None and start - floor_end > longest_gap:
            longest_gap, gap_line = start - floor_end, ln
        floor_end = end if floor_end is None else max(floor_end, end)

    if waits:
        typical = median(w for w, _, _ in waits)
        slowest = max(waits, key=lambda w: w[0])
        if slowest[0] >= SLOW_ANSWER_S or typical * 1000 > LATENCY_SLOW_MS:
            wait, asked, answer = slowest
            wrong.append(
                Insight(
                    "slow_response",
                    "Slow to answer",
                    f"The caller waited {wait:.1f} s for an answer here"
                    + (f" (typically {typical:.1f} s in this call)." if len(waits) > 1 else "."),
                    answer.start,
                    _clip(asked.text),
                    "caller",
                    "Acknowledge at once while you look things up: \u201cLet me check that for you, one moment.\u201d",
                )
            )
        elif len(waits) >= 2 and typical <= 1.0:
            wait, asked, answer = waits[0]
            well.append(
                Insight(
                    "prompt_answers",
                    "Prompt answers",
                    f"The agent answered in {typical:.1f} s typically.",
                    answer.start,
                    _clip(answer.text),
                    "agent",
                )
            )
    if talked_over:
        caller, agent = talked_over[0]
        n = len(talked_over)
        wrong.append(
            Insight(
                "interruption",
                "Talked over the caller",
                f"The agent started speaking before the caller had finished"
                f"{'' if n == 1 else f' ({n} times in this call)'}.",
                agent.start,
                _clip(caller.text),
                "caller",
                "Let the caller finish, then acknowledge: \u201cSorry, go ahead. You were saying?\u201d",
            )
        )
    if gap_line is not None and longest_gap > SILENCE_S:
        wrong.append(
            Insight(
                "dead_air",
                "Dead air",
                f"{fmt_seconds(longest_gap)} of silence before this.",
                gap_line.start,
                _clip(gap_line.text),
                _speaker(gap_line.role),
                "Fill the pause and say what is happening: \u201cStill there? I'm pulling up your booking now.\u201d",
            )
        )


def _monologue(lines: list[Line], timed: bool, wrong: list[Insight]) -> None:
    best: tuple[float, list[Line]] | None = None
    run: list[Line] = []
    for ln in [*lines, Line("end", "")]:
        if run and ln.role != run[0].role:
            if run[0].role == "agent":
                began, ended = run[0].start, run[-1].end  # a timed transcript has both for every line
                if timed and began is not None and ended is not None:
                    length = ended - began
                else:
                    length = sum(len(r.text.split()) for r in run)
                if best is None or length > best[0]:
                    best = (length, run)
            run = []
        run.append(ln)
    if best is None:
        return
    length, run = best
    if (timed and length > MONOLOGUE_S) or (not timed and length > MONOLOGUE_WORDS):
        how_long = fmt_seconds(length) if timed else f"{int(length)} words"
        wrong.append(
            Insight(
                "long_monologue",
                "Long monologue",
                f"The agent spoke for {how_long} without letting the caller in.",
                run[0].start,
                _first_words(" ".join(r.text for r in run)),
                "agent",
                "Make one point at a time and hand the turn back with a question: \u201cDoes that sound like what "
                "you're looking for?\u201d",
            )
        )


# --- AI coaching ---------------------------------------------------------------------------------

# Non-empty text of at most 120, 400 or 600 characters.
_Text120 = Annotated[str, Field(min_length=1, max_length=120)]
_Text400 = Annotated[str, Field(min_length=1, max_length=400)]
_Text600 = Annotated[str, Field(min_length=1, max_length=600)]


class _AiPoint(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    title: _Text120 = Field(description="A few words naming the moment")
    at: Annotated[float | None, Field(ge=0, description="Seconds into the call, from the [12.5s] marks; null if none")]
    quote: _Text400 = Field(description="The exact words said at that moment, copied from the transcript")
    detail: _Text600 = Field(description="One or two sentences on why it matters")


class _AiProblem(_AiPoint):
    suggestion: _Text600 = Field(description="What the agent should have said instead, in quotes")


class CoachingAnswer(BaseModel):
    """The coach's answer: a one-line summary, what went well and what went wrong."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    summary: _Text400
    wentWell: Annotated[list[_AiPoint], Field(max_length=12)]  # camelCase: the wire name
    wentWrong: Annotated[list[_AiProblem], Field(max_length=12)]

    @field_validator("wentWell", "wentWrong", mode="after")
    @classmethod
    def _at_most(cls, value: list) -> list:
        return value[:MAX_INSIGHTS]


COACH_SYSTEM = """You coach AI voice agents that answer and make phone calls for businesses.
Read the call and find the concrete moments that went well and those that went wrong: the greeting,
understanding the request, answering questions, handling objections or frustration, achieving the
caller's goal, pacing (long monologues, slow answers, talking over the caller), and the closing.
For each moment give the time in seconds from the transcript's [12.5s] marks (null if the transcript
has none) and quote the exact words said, copied from the transcript. For each problem, write what
the agent should have said instead, as a short quoted line. At most 5 items per list; answer in JSON only."""


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s']", " ", text.lower()).split())


def ground_quote(quote: str, lines: list[Line]) -> Line | None:
    """The transcript line a quote comes from: contained in it, or most of its words in order."""
    q = _norm(quote.strip("\"'\u201c\u201d\u2026. "))
    if not q:
        return None
    for ln in lines:
        if q in _norm(ln.text):
            return ln
    words = q.split()
    if len(words) < 4:
        return None
    best, best_share = None, 0.0
    for ln in lines:
        have = set(_norm(ln.text).split())
        share = sum(1 for w in words if w in have) / len(words)
        if share > best_share:
            best, best_share = ln, share
    return best if best_share >= 0.8 else None


class AiCoach:
    """Coaching from the configured LLM; raises LlmError when the answer is unusable."""

    def __init__(self, client: LlmClient):
        self.client = client

    @property
    def model(self) -> str:
        return self.client.model

    def coach(self, inp: ScoringInput) -> CoachingResult:
        lines = transcript_lines(inp)
        if not lines:
            raise LlmError("invalid_answer", "no transcript to coach on")
        user = f"Call facts:\n{call_facts(inp)}\n\nTranscript:\n{format_transcript(lines)}"
        answer = self.client.structured(system=COACH_SYSTEM, user=user, name="call_coaching", answer=CoachingAnswer)
        assert isinstance(answer, CoachingAnswer)
        timed = lines[0].start is not None
        limit = max((ln.end or 0.0) for ln in lines) if timed else None
        if inp.duration_ms is not None:
            limit = max(limit or 0.0, inp.duration_ms / 1000)
        well = self._grounded(answer.wentWell, lines, timed, limit, problems=False)
        wrong = self._grounded(answer.wentWrong, lines, timed, limit, problems=True)
        if not well and not wrong and (answer.wentWell or answer.wentWrong):
            raise LlmError("invalid_answer", "no quote in the answer is in the transcript")
        return CoachingResult(
            "ai", AI_VERSION, " ".join(answer.summary.split()), _by_time(well), _by_time(wrong), model=self.model
        )

    @staticmethod
    def _grounded(
        points: Sequence[_AiPoint], lines: list[Line], timed: bool, limit: float | None, *, problems: bool
    ) -> list[Insight]:
        out = []
        for p in points:
            if p.at is not None and limit is not None and p.at > limit + 5:
                raise LlmError("invalid_answer", f"moment at {p.at:g} s is after the end of the call")
            line = ground_quote(p.quote, lines)
            if line is None:
                continue  # a quote that is not in the call: drop the point rather than show it
            kind = "ai_problem" if problems else "ai_strength"
            out.append(
                Insight(
                    kind,
                    p.title,
                    p.detail,
                    line.start if timed else None,
                    _clip(p.quote, 400),
                    _speaker(line.role),
                    getattr(p, "suggestion", None) if problems else None,
                )
            )
        return out

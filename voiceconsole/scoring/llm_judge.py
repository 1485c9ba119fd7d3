"""AI mode (DESIGN.md §7): an OpenAI-compatible chat endpoint judges a call's outcome and sentiment.

The judge asks for strict JSON (`response_format: json_schema`) and validates the answer itself:
a timeout, an HTTP error, a non-JSON answer or an out-of-range value raises `LlmError`, and the
caller scores that call locally instead. Only workers build a judge (`LlmClient.from_settings`);
the web process never calls the LLM.

The other two categories (duration, engagement) always come from the local scorer, which
measures them better than a model reading text. An AI-scored breakdown keeps the local scores of
the judged categories as `localScore`, and records the judgement's input fingerprint so that
rescoring with new weights reuses it instead of asking (and paying) again.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import httpx
from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError, field_validator

from voiceconsole.scoring.categories import fmt_seconds
from voiceconsole.scoring.features import WORDS_PER_SECOND
from voiceconsole.scoring.outcome import NOT_CONNECTED, detect_outcome
from voiceconsole.scoring.scorer import SCORER_VERSION, ScoreResult, ScoringInput, parse_transcript_text
from voiceconsole.settings import get_settings

JUDGE_VERSION = "ai-1"
AI_VERSION = f"{JUDGE_VERSION}+{SCORER_VERSION}"  # what an AI-scored call's score_version says
JUDGED = ("outcome", "sentiment")
MAX_TRANSCRIPT_CHARS = 24_000  # about 6k tokens; longer calls keep their start and their end
MAX_REASONS = 4
MAX_REASON_CHARS = 300

_ROLES = {
    "agent": "agent",
    "ai": "agent",
    "bot": "agent",
    "assistant": "agent",
    "user": "user",
    "customer": "user",
    "caller": "user",
    "human": "user",
}


class LlmError(Exception):
    """The LLM gave no usable answer. `kind` says why, for the breakdown's `fallback`:
    timeout | network | http_<status> | invalid_json | invalid_answer | refused."""

    def __init__(self, kind: str, message: str = ""):
        super().__init__(message or kind)
        self.kind = kind


# --- Transport ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LlmConfig:
    base_url: str  # up to and including the version, e.g. https://api.openai.com/v1
    model: str
    api_key: str | None = None
    timeout_s: float = 30.0


class LlmClient:
    """A minimal OpenAI-compatible chat client returning validated structured answers."""

    def __init__(self, config: LlmConfig, *, transport: httpx.BaseTransport | None = None):
        self.config = config
        headers = {"Content-Type": "application/json"}
        if config.api_key:
            headers["Authorization"] = f"Bearer {config.api_key}"
        self._http = httpx.Client(
            base_url=config.base_url.rstrip("/"),
            headers=headers,
            transport=transport,
            timeout=httpx.Timeout(config.timeout_s, connect=min(10.0, config.timeout_s)),
        )

    @classmethod
    def from_settings(cls, settings: Any = None) -> LlmClient | None:
        """The configured endpoint, or None when AI mode is off."""
        if settings is None:
            settings = get_settings()
        if not settings.llm_base_url:
            return None
        return cls(
            LlmConfig(
                base_url=settings.llm_base_url,
                model=settings.llm_model,
                api_key=settings.llm_api_key,
                timeout_s=settings.llm_timeout_s,
            )
        )

    @property
    def model(self) -> str:
        return self.config.model

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> LlmClient:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def structured(self, *, system: str, user: str, name: str, answer: type[BaseModel]) -> BaseModel:
        """Ask for a JSON answer matching `answer`'s schema; return it validated, or raise LlmError."""
        body = {
            "model": self.config.model,
            "temperature": 0,
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": name, "strict": True, "schema": strict_schema(answer)},
            },
        }
        try:
            r = self._http.post("/chat/completions", json=body)
        except httpx.TimeoutException as exc:
            raise LlmError("timeout", f"LLM did not answer within {self.config.timeout_s:g} s") from exc
        except httpx.HTTPError as exc:
            raise LlmError("network", f"LLM request failed: {type(exc).__name__}") from exc
        if r.status_code >= 400:
            raise LlmError(f"http_{r.status_code}", f"LLM answered HTTP {r.status_code}")
        try:
            message = r.json()["choices"][0]["message"]
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise LlmError("invalid_json", "LLM response is not a chat completion") from exc
        if not isinstance(message, dict):
            raise LlmError("invalid_json", "LLM response has no message")
        if message.get("refusal"):
            raise LlmError("refused", "LLM refused to answer")
        content = message.get("content")
        if not isinstance(content, str) or not content.strip():
            raise LlmError("invalid_json", "LLM answer is empty")
        try:
            data = json.loads(content)
        except ValueError as exc:
            raise LlmError("invalid_json", "LLM answer is not JSON") from exc
        try:
            return answer.model_validate(data)
        except ValidationError as exc:
            raise LlmError("invalid_answer", f"LLM answer does not match the schema: {exc.errors()[0]['msg']}") from exc


def strict_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON schema of an answer model in the form OpenAI's strict mode accepts: every object
    closed and every property required, definitions inlined, no numeric or length keywords (the
    answer is validated here with pydantic instead)."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(n) for n in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            return walk(defs[node["$ref"].rsplit("/", 1)[-1]])
        out = {
            k: walk(v)
            for k, v in node.items()
            if k
            not in (
                "title",
                "default",
                "minimum",
                "maximum",
                "minLength",
                "maxLength",
                "minItems",
                "maxItems",
                "exclusiveMinimum",
                "exclusiveMaximum",
            )
        }
        if out.get("type") == "object":
            out["additionalProperties"] = False
            out["required"] = list(out.get("properties", {}))
        return out

    return walk(schema)


# --- The transcript as the judge and the coach read it -------------------------------------------


@dataclass(slots=True)
class Line:
    """One spoken turn: who ("agent" | "user"), what, and when (seconds; None when not timed)."""

    role: str
    text: str
    start: float | None = None
    end: float | None = None
    end_known: bool = False


def _num(x: Any) -> float | None:
    if x is None or isinstance(x, bool):
        return None
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def transcript_lines(inp: ScoringInput) -> list[Line]:
    """The spoken turns in call order, timed from words or turn times when every turn has them."""
    raw = list(inp.turns or [])
    lines: list[Line] = []
    for t in raw:
        get = t.get if isinstance(t, dict) else (lambda k, _t=t: getattr(_t, k, None))
        role = _ROLES.get(str(get("role") or "").lower())
        text = " ".join(str(get("text") or "").split())
        if role is None or not text:
            continue
        start, end = _num(get("start")), _num(get("end"))
        words = get("words")
        if words:
            w0, w1 = words[0], words[-1]
            ws = _num(w0.get("start") if isinstance(w0, dict) else getattr(w0, "start", None))
            we = _num(w1.get("end") if isinstance(w1, dict) else getattr(w1, "end", None))
            start, end = (ws if ws is not None else start), (we if we is not None else end)
        lines.append(Line(role, text, start, end))
    if not lines and inp.transcript and inp.transcript.strip():
        lines = [
            Line(t["role"], " ".join(t["text"].split()))
            for t in parse_transcript_text(inp.transcript)
            if t["text"].strip()
        ]
    starts = [ln.start for ln in lines if ln.start is not None]
    if not lines or len(starts) < len(lines):
        for ln in lines:  # partial timing would mislead: use none
            ln.start = ln.end = None
        return lines
    for i, (ln, start) in enumerate(zip(lines, starts, strict=True)):
        if ln.end is not None and ln.end >= start:
            ln.end_known = True
        else:
            est = start + len(ln.text.split()) / WORDS_PER_SECOND
            nxt = starts[i + 1] if i + 1 < len(starts) else None
            ln.end = min(est, nxt) if nxt is not None and nxt > start else est
    return lines


def format_transcript(lines: list[Line], max_chars: int = MAX_TRANSCRIPT_CHARS) -> str:
    """`[12.5s] Agent: …` lines; an over-long call keeps its first third and last two thirds."""
    rendered = [
        (f"[{ln.start:.1f}s] " if ln.start is not None else "")
        + ("Agent" if ln.role == "agent" else "Caller")
        + ": "
        + ln.text
        for ln in lines
    ]
    text = "\n".join(rendered)
    if len(text) <= max_chars:
        return text
    head_budget, tail_budget = max_chars // 3, max_chars - max_chars // 3
    head: list[str] = []
    used = 0
    for r in rendered:
        if used + len(r) + 1 > head_budget:
            break
        head.append(r)
        used += len(r) + 1
    tail: list[str] = []
    used = 0
    for r in reversed(rendered[len(head) :]):
        if used + len(r) + 1 > tail_budget:
            break
        tail.append(r)
        used += len(r) + 1
    tail.reverse()
    omitted = len(rendered) - len(head) - len(tail)
    return "\n".join([*head, f"[… {omitted} turns omitted …]", *tail])


def call_facts(inp: ScoringInput) -> str:
    """What the platform told us about the call, as context for the model."""
    facts = []
    if inp.duration_ms is not None:
        facts.append(f"Duration: {fmt_seconds(inp.duration_ms / 1000)}")
    if inp.end_reason:
        facts.append(f"End reason (platform): {inp.end_reason}")
    if inp.successful is not None:
        facts.append(f"Platform success flag: {'successful' if inp.successful else 'unsuccessful'}")
    if inp.sentiment:
        facts.append(f"Platform sentiment: {inp.sentiment}")
    if inp.summary:
        facts.append(f"Platform summary: {' '.join(inp.summary.split())[:1000]}")
    return "\n".join(facts) or "No platform analysis."


def input_fingerprint(inp: ScoringInput) -> str:
    """A hash of everything the judge and the coach read, to tell when a stored answer still holds."""
    lines = transcript_lines(inp)
    payload = json.dumps(
        {
            "lines": [[ln.role, ln.text, ln.start] for ln in lines],
            "duration_ms": inp.duration_ms,
            "end_reason": inp.end_reason,
            "successful": inp.successful,
            "sentiment": inp.sentiment,
            "summary": inp.summary,
        },
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def worth_judging(inp: ScoringInput) -> bool:
    """A conversation took place: someone spoke and it was not voicemail or a call that never connected.
    Anything else is scored locally (and costs no credit)."""
    lines = transcript_lines(inp)
    if not any(ln.role == "user" for ln in lines) or not any(ln.role == "agent" for ln in lines):
        return False
    signals = detect_outcome([(ln.role, ln.text) for ln in lines], inp.end_reason, inp.summary)
    return not (signals.voicemail or signals.end_class == NOT_CONNECTED)


# --- The judgement -------------------------------------------------------------------------------


def _reasons(value: Any) -> list[str]:
    if not isinstance(value, list):
        return value  # let pydantic report the type error
    out = []
    for item in value:
        if not isinstance(item, str):
            return value
        item = " ".join(item.split())
        if item:
            out.append(item if len(item) <= MAX_REASON_CHARS else item[: MAX_REASON_CHARS - 1] + "\u2026")
    return out[:MAX_REASONS]


class OutcomeVerdict(BaseModel):
    model_config = ConfigDict(extra="forbid")
    achieved: Literal["yes", "partly", "no", "unclear"] = Field(
        description="Did the agent achieve the caller's objective?"
    )
    score: Annotated[StrictInt, Field(ge=0, le=100, description="0-100, see the rubric")]
    reasons: Annotated[list[str], Field(min_length=1, description="1-3 short sentences, quoting the call")]

    @field_validator("reasons", mode="before")
    @classmethod
    def _clean(cls, value: Any) -> Any:
        return _reasons(value)


class SentimentVerdict(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: Literal["Positive", "Neutral", "Negative"] = Field(description="The caller's overall tone")
    score: Annotated[StrictInt, Field(ge=0, le=100, description="0-100, see the rubric")]
    reasons: Annotated[list[str], Field(min_length=1, description="1-3 short sentences, quoting the caller")]

    @field_validator("reasons", mode="before")
    @classmethod
    def _clean(cls, value: Any) -> Any:
        return _reasons(value)


class Judgement(BaseModel):
    """The judge's answer: the outcome and the caller's sentiment, each 0–100 with reasons."""

    model_config = ConfigDict(extra="forbid")
    outcome: OutcomeVerdict
    sentiment: SentimentVerdict


JUDGE_SYSTEM = """You are a quality analyst reviewing phone calls handled by an AI voice agent for a business.
Judge two things from the transcript and the platform's facts, then answer with JSON only.

OUTCOME - did the agent achieve the caller's objective (booked, answered, resolved, sold)?
  85-100: clearly achieved and confirmed; 60-84: mostly achieved or a sensible next step agreed;
  35-59: partly achieved or unclear; 0-34: not achieved, wrong information, or the caller gave up.
SENTIMENT - the caller's tone over the call; how the call ends weighs more than how it starts.
  80-100: positive, grateful; 45-79: neutral or polite; 0-44: frustrated, angry, or upset.
Reasons: 1-3 short sentences a manager reads on the call page; quote a few words of the call where
it helps. Judge the caller, not the agent's politeness. Do not invent facts that are not in the call."""


@dataclass(frozen=True)
class AiJudgement:
    """A judgement as stored in the breakdown: scores and reasons per judged category."""

    outcome_score: int
    outcome_reasons: list[str]
    achieved: str
    sentiment_score: int
    sentiment_reasons: list[str]
    label: str
    model: str
    input_hash: str


class LlmJudge:
    """Judges outcome and sentiment of one call through the configured LLM (thread-safe)."""

    def __init__(self, client: LlmClient):
        self.client = client

    @property
    def model(self) -> str:
        return self.client.model

    def judge(self, inp: ScoringInput, input_hash: str | None = None) -> AiJudgement:
        lines = transcript_lines(inp)
        user = f"Call facts:\n{call_facts(inp)}\n\nTranscript:\n{format_transcript(lines)}"
        answer = self.client.structured(system=JUDGE_SYSTEM, user=user, name="call_judgement", answer=Judgement)
        assert isinstance(answer, Judgement)
        return AiJudgement(
            outcome_score=answer.outcome.score,
            outcome_reasons=answer.outcome.reasons,
            achieved=answer.outcome.achieved,
            sentiment_score=answer.sentiment.score,
            sentiment_reasons=answer.sentiment.reasons,
            label=answer.sentiment.label,
            model=self.model,
            input_hash=input_hash or input_fingerprint(inp),
        )


# --- Combining with the local score -------------------------------------------------------------


@dataclass(frozen=True)
class CombinedScore:
    score: int
    breakdown: dict[str, Any]
    version: str
    mode: str  # ai | local


def combine(local: ScoreResult, judgement: AiJudgement | None, *, fallback: str | None = None) -> CombinedScore:
    """The stored score: the local result, with outcome and sentiment from the judge when given.

    `fallback` (why an AI attempt fell back, e.g. "timeout", "no_credits") is recorded in a local
    breakdown so that people can see why a call was not AI-scored.
    """
    breakdown = {k: (dict(v) if isinstance(v, dict) else v) for k, v in local.breakdown.items()}
    if judgement is None or local.no_transcript:
        breakdown["mode"] = "local"
        if fallback and not local.no_transcript:
            breakdown["fallback"] = fallback
        return CombinedScore(local.score, breakdown, local.version, "local")
    verdicts = {
        "outcome": (judgement.outcome_score, judgement.outcome_reasons),
        "sentiment": (judgement.sentiment_score, judgement.sentiment_reasons),
    }
    for name, (score, reasons) in verdicts.items():
        part = breakdown[name]
        breakdown[name] = {
            "score": score,
            "weight": part["weight"],
            "reasons": list(reasons),
            "source": "ai",
            "localScore": part["score"],
        }
    total = (
        sum(
            breakdown[name]["score"] * breakdown[name]["weight"]
            for name in ("duration", "sentiment", "outcome", "engagement")
        )
        / 100
    )
    score = int(min(100.0, max(0.0, total)) + 0.5)  # half up, like the local scorer
    breakdown["version"] = AI_VERSION
    breakdown["mode"] = "ai"
    breakdown["ai"] = {
        "judge": JUDGE_VERSION,
        "model": judgement.model,
        "input": judgement.input_hash,
        "achieved": judgement.achieved,
        "label": judgement.label,
    }
    return CombinedScore(score, breakdown, AI_VERSION, "ai")


def stored_judgement(breakdown: dict[str, Any] | None, input_hash: str) -> AiJudgement | None:
    """The judgement kept in a stored AI breakdown, if it was made by this judge on this input."""
    if not isinstance(breakdown, dict) or breakdown.get("mode") != "ai":
        return None
    ai = breakdown.get("ai")
    if not isinstance(ai, dict) or ai.get("judge") != JUDGE_VERSION or ai.get("input") != input_hash:
        return None
    try:
        out, sen = breakdown["outcome"], breakdown["sentiment"]
        return AiJudgement(
            outcome_score=int(out["score"]),
            outcome_reasons=list(out["reasons"]),
            achieved=str(ai["achieved"]),
            sentiment_score=int(sen["score"]),
            sentiment_reasons=list(sen["reasons"]),
            label=str(ai["label"]),
            model=str(ai.get("model") or ""),
            input_hash=input_hash,
        )
    except (KeyError, TypeError, ValueError):
        return None

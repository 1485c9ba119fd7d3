"""One call: header, score breakdown, voice metrics, coaching, transcript, recording, notes and tags."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import reflex as rx

from voiceconsole.scoring.categories import LATENCY_GOOD_MS, LATENCY_SLOW_MS, SILENCE_S, TALK_RATIO_HIGH, TALK_RATIO_LOW
from voiceconsole.scoring.scorer import CATEGORIES, NO_TRANSCRIPT
from voiceconsole.services import builder
from voiceconsole.services.calls import add_note, add_tags, get_call, remove_tags
from voiceconsole.services.errors import DomainError, NotFound
from voiceconsole.services.scoring.coaching import get_coaching
from voiceconsole.ui import format as fmt
from voiceconsole.ui import links
from voiceconsole.ui.state import call_facts
from voiceconsole.ui.state.auth import AuthState, OrgScope
from voiceconsole.ui.state.builder_rows import builder_href
from voiceconsole.ui.state.calls import call_row

log = logging.getLogger(__name__)

SPEAKERS = {"agent": "Agent", "user": "Caller", "tool": "Tool", "system": "System"}
REASONS_SHOWN = 3  # per category; the rest fold away behind "n more"
FALLBACKS = {"no_credits": "no AI credits left", "timeout": "the AI model timed out"}
SLOW_ANSWER_P90_MS = 4000  # the engagement category's "some answers took …" line
COACHING_POLL_S = 3
COACHING_POLL_LIMIT = 60  # about three minutes, then the panel offers a retry
TURN_ID = re.compile(r"turn-\d+")


def call_header(wire: dict[str, Any], tz: str) -> dict[str, str]:
    row = call_row(wire, tz)
    row["cost"] = row["cost"] or fmt.DASH  # a live call's: not known yet
    row.update(
        {
            "from_number": wire.get("fromNumber") or fmt.DASH,
            "to_number": wire.get("toNumber") or fmt.DASH,
            "started": call_facts.started_label(wire, tz),
            "cost_note": call_facts.cost_note(wire),
            "ended": fmt.datetime_label(wire.get("endedAt"), tz),
            "end_reason": fmt.label(wire.get("endReason")),
            "recording_url": wire.get("recordingUrl") or "",
            "summary_full": wire.get("summary") or "",
            "platform_call_id": wire.get("platformCallId") or "",
            # The breadcrumb and the header link to the call's client and agent pages (empty: unknown).
            "agent_name": wire.get("agentName") or "",
            "agent_href": links.agent_href(wire.get("agentId")),
            "client_name": wire.get("clientName") or "",
            "client_href": links.client_href(wire.get("clientId")),
        }
    )
    return row


def _prompt_length(turns: list[dict[str, Any]]) -> int:
    """How many turns open the transcript as the agent's system prompt: the system messages before anyone
    speaks (Vapi's messages begin with the prompt the assistant ran with)."""
    count = 0
    for turn in turns or []:
        if str(turn.get("role") or "") != "system":
            break
        count += 1
    return count


def system_prompt(turns: list[dict[str, Any]]) -> str:
    """The system prompt a transcript opens with, shown folded away above the conversation ("" if none)."""
    opening = (str(turn.get("text") or "").strip() for turn in (turns or [])[: _prompt_length(turns)])
    return "\n\n".join(text for text in opening if text)


def transcript_turns(turns: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Chat bubbles: one per turn, agent on the left, caller on the right (word timings dropped). The system
    prompt the transcript may open with is not a turn (see `system_prompt`)."""
    out = []
    for turn in (turns or [])[_prompt_length(turns) :]:
        role = str(turn.get("role") or "user")
        text = str(turn.get("text") or "").strip()
        if not text:
            continue
        start = turn.get("start")
        timed = isinstance(start, (int, float)) and not isinstance(start, bool)
        out.append(
            {
                "id": f"turn-{len(out)}",  # the DOM id a coaching moment links to
                "side": "agent" if role == "agent" else ("caller" if role == "user" else "system"),
                "speaker": SPEAKERS.get(role, role.title()),
                "text": text,
                "at": fmt.mmss(start) if timed else "",
                "start": str(float(start)) if timed else "",
            }
        )
    return out


@dataclass
class ScorePart:
    """One category of the score breakdown, ready to draw: a bar, its weight and the reasons behind it."""

    key: str = ""
    name: str = ""
    score: str = ""
    value: int = 0  # 0–100, the bar's width
    band: str = "none"
    weight: str = ""  # "× 35%"
    source: str = ""  # "AI" when the LLM judged this category
    reasons: list[str] = field(default_factory=list)
    more_reasons: list[str] = field(default_factory=list)  # folded away behind "n more"


def score_parts(breakdown: dict[str, Any] | None) -> list[ScorePart]:
    """The four categories of a stored breakdown, in the scorer's order (none for a no-transcript call)."""
    parts = []
    if not isinstance(breakdown, dict) or breakdown.get(NO_TRANSCRIPT):
        return parts
    for key in CATEGORIES:
        part = breakdown.get(key)
        if not isinstance(part, dict):
            continue
        score = part.get("score")
        if not isinstance(score, (int, float)) or isinstance(score, bool):
            continue
        weight = part.get("weight")
        reasons = [str(r) for r in part.get("reasons") or [] if r and r != NO_TRANSCRIPT]
        value = max(0, min(100, round(float(score))))
        parts.append(
            ScorePart(
                key=key,
                name=fmt.label(key),
                score=str(value),
                value=value,
                band=fmt.score_band(value),
                weight=f"× {weight:g}%" if isinstance(weight, (int, float)) and not isinstance(weight, bool) else "",
                source="AI" if part.get("source") == "ai" else "",
                reasons=reasons[:REASONS_SHOWN],
                more_reasons=reasons[REASONS_SHOWN:],
            )
        )
    return parts


def score_info(breakdown: dict[str, Any] | None, version: str | None) -> dict[str, str]:
    """How the call was scored, for the small print under the breakdown: mode, scorer version, fallback."""
    if not isinstance(breakdown, dict):
        return {"mode": "", "version": version or "", "note": ""}
    version = str(breakdown.get("version") or version or "")
    ai = breakdown.get("mode") == "ai"
    model = str((breakdown.get("ai") or {}).get("model") or "") if ai else ""
    fallback = breakdown.get("fallback")
    note = ""
    if fallback and not ai:
        note = f"AI scoring was skipped: {FALLBACKS.get(str(fallback), 'the AI model was unavailable')}"
    return {"mode": ("AI" + (f" · {model}" if model else "")) if ai else "Local", "version": version, "note": note}


def _seconds(ms: int | float | None) -> str:
    return fmt.DASH if ms is None else f"{ms / 1000:.1f} s"


def voice_metric_tiles(metrics: dict[str, Any] | None) -> list[dict[str, str]]:
    """The voice-metrics card: value, what good looks like, and whether this call is there.

    `tone` is good | warn | neutral (in between) | unknown; the thresholds are the scorer's own.
    """
    m = metrics or {}
    p50, p90 = m.get("latencyP50Ms"), m.get("latencyP90Ms")
    interruptions, ratio, silence = m.get("interruptions"), m.get("talkRatio"), m.get("longestSilenceS")

    def tone(value, good: Callable[[Any], bool], warn: Callable[[Any], bool]) -> str:
        if value is None:
            return "unknown"
        return "good" if good(value) else "warn" if warn(value) else "neutral"

    def balanced(r: float) -> bool:
        return TALK_RATIO_LOW <= r <= TALK_RATIO_HIGH

    return [
        {
            "key": "latency-p50",
            "label": "Response time p50",
            "value": _seconds(p50),
            "hint": f"Typical wait. Good: {LATENCY_GOOD_MS / 1000:g} s or less",
            "tone": tone(p50, lambda v: v <= LATENCY_GOOD_MS, lambda v: v > LATENCY_SLOW_MS),
        },
        {
            "key": "latency-p90",
            "label": "Response time p90",
            "value": _seconds(p90),
            "hint": f"Slowest 10%. Good: under {SLOW_ANSWER_P90_MS / 1000:g} s",
            "tone": tone(p90, lambda v: v <= SLOW_ANSWER_P90_MS, lambda v: v > SLOW_ANSWER_P90_MS),
        },
        {
            "key": "interruptions",
            "label": "Interruptions",
            "value": fmt.DASH if interruptions is None else str(interruptions),
            "hint": "Good: none or one",
            "tone": tone(interruptions, lambda v: v <= 1, lambda v: v >= 3),
        },
        {
            "key": "talk-share",
            "label": "Agent talk share",
            "value": fmt.DASH if ratio is None else f"{round(ratio * 100)}%",
            "hint": f"Good: {TALK_RATIO_LOW:.0%}–{TALK_RATIO_HIGH:.0%}, listening as much as talking",
            "tone": tone(ratio, balanced, lambda v: not balanced(v)),
        },
        {
            "key": "longest-silence",
            "label": "Longest silence",
            "value": fmt.DASH if silence is None else f"{silence:.1f} s",
            "hint": f"Good: under {SILENCE_S:g} s of dead air",
            "tone": tone(silence, lambda v: v <= SILENCE_S, lambda v: v > SILENCE_S),
        },
    ]


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s']", " ", text.lower()).split())


def locate_turn(turns: list[dict[str, str]], at: float | None, quote: str | None) -> str:
    """The id of the transcript turn a coaching moment points at: the one quoted (nearest `at` if the
    quote occurs more than once), else the last turn started by `at`. Empty when nothing fits."""
    if not turns:
        return ""
    starts = [float(t["start"]) if t.get("start") else None for t in turns]
    needle = _words((quote or "").replace("\u2026", " "))[:80]
    if needle:
        hits = [i for i, t in enumerate(turns) if needle in _words(t["text"])]
        if hits:
            if at is None or len(hits) == 1:
                return turns[hits[0]]["id"]
            return turns[min(hits, key=lambda i: abs((starts[i] if starts[i] is not None else 1e9) - at))]["id"]
    if at is None:
        return ""
    started = [i for i, s in enumerate(starts) if s is not None and s <= at + 0.5]
    return turns[started[-1]]["id"] if started else ""


def insight_rows(items: list[dict[str, Any]] | None, turns: list[dict[str, str]]) -> list[dict[str, str]]:
    out = []
    for item in items or []:
        at = item.get("at")
        at = float(at) if isinstance(at, (int, float)) and not isinstance(at, bool) else None
        quote = str(item.get("quote") or "")
        speaker = item.get("speaker")
        out.append(
            {
                "title": str(item.get("title") or fmt.label(item.get("kind"))),
                "detail": str(item.get("detail") or ""),
                "quote": quote,
                "speaker": {"agent": "Agent", "caller": "Caller"}.get(str(speaker), ""),
                "at": fmt.mmss(at) if at is not None else "",
                "turn_id": locate_turn(turns, at, quote),
                "suggestion": str(item.get("suggestion") or ""),
            }
        )
    return out


def note_item(wire: dict[str, Any], tz: str) -> dict[str, str]:
    return {
        "id": wire["id"],
        "body": wire["body"],
        "author": wire["author"],
        "at": fmt.datetime_label(wire.get("createdAt"), tz),
    }


class CallDetailState(AuthState):
    call: dict[str, str] = {}
    turns: list[dict[str, str]] = []
    score_breakdown: list[ScorePart] = []
    score_meta: dict[str, str] = {}
    no_transcript: bool = False
    live: bool = False  # still in progress: score and coaching come once it ends
    system_prompt: str = ""  # the prompt the transcript opens with (Vapi), folded away above it
    voice_metrics: list[dict[str, str]] = []
    latency_source: str = ""  # whose response time the tiles show
    estimate_note: str = ""
    latency_stages: list[dict[str, str]] = []
    cost_items: list[dict[str, str]] = []
    recordings: list[dict[str, str]] = []
    notes: list[dict[str, str]] = []
    tags: list[str] = []
    not_found: bool = False
    loading: bool = True
    note_draft: str = ""
    note_error: str = ""
    tag_draft: str = ""
    tag_error: str = ""

    def _route_call_id(self) -> str:
        # /calls/[call_id]: the last path segment. Read from the URL the browser is on.
        return self.router.url.path.rstrip("/").rsplit("/", 1)[-1]

    def _clear(self) -> None:
        self.call, self.turns, self.notes, self.tags, self.score_breakdown = {}, [], [], [], []
        self.score_meta, self.voice_metrics, self.no_transcript = {}, [], False
        self.live, self.system_prompt = False, ""
        self.latency_source = self.estimate_note = ""
        self.latency_stages, self.cost_items, self.recordings = [], [], []
        self.not_found = False
        self.note_error = self.tag_error = ""
        self.note_draft = self.tag_draft = ""

    @rx.event
    def load(self):
        self._clear()  # nothing of the previous call (or session) survives into this one
        self.loading = True

        def read(scope: OrgScope):
            return get_call(scope.session, org=scope.org, call_id=self._route_call_id(), actor=scope.actor)

        def not_found(_: NotFound) -> None:
            self.not_found = True
            self.loading = False

        return self._org_action(read, catch=NotFound, failed=not_found, done=self._show_call)

    def _show_call(self, detail):
        wire = detail.wire()
        breakdown = wire.get("scoreBreakdown")
        header = call_header(wire, self.timezone)
        self.no_transcript = isinstance(breakdown, dict) and bool(breakdown.get(NO_TRANSCRIPT))
        if self.no_transcript:  # its 0 means "nothing to judge", not "poor"
            header["band"] = "none"
        self.call = header
        self.live = wire.get("status") == "in_progress"
        self.system_prompt = system_prompt(wire.get("transcriptTurns") or [])
        self.turns = transcript_turns(wire.get("transcriptTurns") or [])
        self.score_breakdown = score_parts(breakdown)
        self.score_meta = score_info(breakdown, wire.get("scoreVersion"))
        metrics = wire.get("voiceMetrics")
        self.voice_metrics = voice_metric_tiles(metrics)
        self.latency_source = call_facts.latency_source(metrics, wire.get("platform") or "")
        self.estimate_note = call_facts.estimate_note(metrics)
        self.latency_stages = call_facts.latency_stages(metrics)
        self.cost_items = call_facts.cost_items(wire)
        self.recordings = call_facts.other_recordings(wire)
        self.notes = [note_item(n, self.timezone) for n in wire.get("notes") or []]
        self.tags = list(wire.get("tags") or [])
        self.loading = False
        return CallCoachingState.load_coaching  # coaching follows, so the call shows at once

    @rx.event
    def set_note_draft(self, value: str):
        self.note_draft = value
        self.note_error = ""

    @rx.event
    def set_tag_draft(self, value: str):
        self.tag_draft = value
        self.tag_error = ""

    @rx.event
    def submit_note(self, form_data: dict):
        body = str(form_data.get("body", self.note_draft) or "")

        def add(scope: OrgScope):
            return add_note(scope.session, org=scope.org, call_id=self._route_call_id(), body=body, actor=scope.actor)

        def failed(exc: DomainError) -> None:
            self.note_draft = body  # what was typed stays
            self.note_error = fmt.error_text(exc)

        def added(note) -> None:
            self.notes = [*self.notes, note_item(note.wire(), self.timezone)]
            self.note_draft = ""
            self.note_error = ""

        return self._org_action(add, failed=failed, done=added)

    @rx.event
    def submit_tag(self, form_data: dict):
        raw = str(form_data.get("tag", self.tag_draft) or "")
        names = [t for t in (part.strip() for part in raw.split(",")) if t] or [raw]

        def add(scope: OrgScope) -> list[str]:
            return add_tags(scope.session, org=scope.org, call_id=self._route_call_id(), tags=names, actor=scope.actor)

        def failed(exc: DomainError) -> None:
            self.tag_draft = raw  # what was typed stays
            self.tag_error = fmt.error_text(exc)

        def added(tags: list[str]) -> None:
            self.tags = tags
            self.tag_draft = ""
            self.tag_error = ""

        return self._org_action(add, failed=failed, done=added)

    @rx.event
    def remove_tag(self, name: str):
        def remove(scope: OrgScope) -> list[str]:
            return remove_tags(
                scope.session, org=scope.org, call_id=self._route_call_id(), tags=[name], actor=scope.actor
            )

        def failed(exc: DomainError) -> None:
            self.tag_error = fmt.error_text(exc)

        def removed(tags: list[str]) -> None:
            self.tags = tags
            self.tag_error = ""

        return self._org_action(remove, failed=failed, done=removed)


class CallCoachingState(CallDetailState):
    """The coaching panel of the call page. AI coaching may still be in the works (`pending`): then
    a background event polls until it is ready, the page shows another call, or time runs out."""

    coaching_status: str = ""  # "" (loading) | pending | ready | slow (gave up polling) | error | live
    coaching_summary: str = ""
    coaching_mode: str = ""  # AI | Local
    coaching_for: str = ""  # the call these insights belong to (the panel hides anyone else's)
    went_well: list[dict[str, str]] = []
    went_wrong: list[dict[str, str]] = []
    # "Add to prompt" (owners and admins): the suggestion last added as a draft of the call's agent, and the
    # builder opened on that draft's diff; or why it could not be added.
    prompt_added: str = ""
    prompt_draft_href: str = ""
    prompt_draft_version: int = 0
    prompt_failed: str = ""
    prompt_error: str = ""
    _poll_generation: int = 0  # bumped whenever the panel is reset: a running poll sees it and stops

    def _show(self, view: dict[str, Any]) -> None:
        self.coaching_status = "ready"
        self.coaching_summary = str(view.get("summary") or "")
        self.coaching_mode = "AI" if view.get("mode") == "ai" else "Local"
        self.went_well = insight_rows(view.get("wentWell"), self.turns)
        self.went_wrong = insight_rows(view.get("wentWrong"), self.turns)

    def _fetch(self, call_id: str) -> None:
        """Ask the coaching service once; sets `coaching_status` to ready, pending or error."""
        self.coaching_for = call_id

        def fetch(scope: OrgScope) -> dict[str, Any]:
            return get_coaching(scope.session, org=scope.org, call_id=call_id, actor=scope.actor).wire()

        def unavailable(exc: Exception | None = None) -> None:
            # Signed out, not found, or the queue is away: the rest of the call page must still work.
            if exc is not None and not isinstance(exc, NotFound):
                log.exception("coaching for call %s failed", call_id)
            self.coaching_status = "error"

        def fetched(view: dict[str, Any]) -> None:
            if view.get("status") == "pending":
                self.coaching_status = "pending"
            else:
                self._show(view)

        # Every error counts (not only refusals), and a lost session must not navigate away from the call.
        self._org_action(fetch, catch=Exception, failed=unavailable, signed_out=unavailable, done=fetched)

    def _reset(self) -> None:
        self._poll_generation += 1
        self.coaching_status = self.coaching_summary = self.coaching_mode = self.coaching_for = ""
        self.went_well, self.went_wrong = [], []
        self.prompt_added = self.prompt_draft_href = self.prompt_failed = self.prompt_error = ""
        self.prompt_draft_version = 0

    @rx.event
    def load_coaching(self):
        """Follows CallDetailState.load: coaching for the call on screen, then polling while pending."""
        self._reset()
        if self.not_found or not self.call:
            return None
        if self.live:  # nothing to coach on until the call ends
            self.coaching_for, self.coaching_status = self.call.get("id", ""), "live"
            return None
        self._fetch(self._route_call_id())
        return CallCoachingState.poll_coaching if self.coaching_status == "pending" else None

    @rx.event(background=True)
    async def poll_coaching(self):
        async with self:
            generation, call_id = self._poll_generation, self._route_call_id()
        for _ in range(COACHING_POLL_LIMIT):
            await asyncio.sleep(COACHING_POLL_S)
            async with self:
                # Stop once the panel was reset (another call, a reload) or the browser left the call.
                if (
                    self._poll_generation != generation
                    or self.coaching_status != "pending"
                    or self._route_call_id() != call_id
                ):
                    return
                self._fetch(call_id)
                if self.coaching_status != "pending":
                    return
        async with self:
            if self._poll_generation == generation and self.coaching_status == "pending":
                self.coaching_status = "slow"

    @rx.event
    def add_to_prompt(self, suggestion: str):
        """A suggestion becomes a new draft version of the call's agent (services/builder.add_to_prompt): the
        panel links to the builder on the diff between the live version and that draft."""
        call_id = self._route_call_id()
        agent_id = links.last_segment(self.call.get("agent_href", "")) if self.call.get("agent_href") else ""
        self.prompt_failed = self.prompt_error = ""

        def add(scope: OrgScope):
            return builder.add_to_prompt(
                scope.session, org=scope.org, actor=scope.actor, call_id=call_id, suggestion=suggestion
            )

        def failed(exc: DomainError):
            self.prompt_failed, self.prompt_error = suggestion, fmt.error_text(exc)
            return rx.toast.error(self.prompt_error)

        def added(config):
            self.prompt_added, self.prompt_draft_version = suggestion, config.version
            live = config.deployed_version or max(config.version - 1, 0)
            self.prompt_draft_href = builder_href(agent_id, live or None, config.version)
            return rx.toast.success(f"Added to the prompt as draft version {config.version}")

        return self._org_action(add, failed=failed, done=added)

    @rx.event
    def focus_turn(self, turn_id: str):
        """Scroll the transcript to a turn and flash it (the ids are ours: `turn-<index>`)."""
        if not TURN_ID.fullmatch(turn_id or ""):
            return None
        return rx.call_script(FOCUS_TURN_JS.replace("TURN_ID", turn_id))


# Scroll a transcript turn into view and flash an outline around its bubble.
FOCUS_TURN_JS = """(() => {
  const el = document.getElementById("TURN_ID");
  if (!el) return;
  el.scrollIntoView({behavior: "smooth", block: "center"});
  el.setAttribute("data-focused", "true");
  const bubble = el.querySelector(".vc-transcript-turn") || el;
  bubble.animate([
    {boxShadow: "0 0 0 3px var(--accent-8)", borderRadius: "14px"},
    {boxShadow: "0 0 0 3px transparent", borderRadius: "14px"}
  ], {duration: 2400, easing: "ease-out"});
  setTimeout(() => el.removeAttribute("data-focused"), 2400);
})()"""

"""A platform-neutral conversation: word timestamps, response latencies and interruptions laid over a
script (`_timeline`), the `_Conversation` holding the result together with its cached platform
renderings, `_build` which makes one for an agent profile and a scenario, `_stages`, each response
latency split into the pipeline stages the platforms measure, and `_with_sentiment`, the extracted data
plus sentiment that the Vapi and ElevenLabs renderings both report.
"""

from __future__ import annotations

import random
from typing import Any, NamedTuple

from voiceconsole.platforms.simulator.generator.catalog import _Profile
from voiceconsole.platforms.simulator.generator.scripts import _Ctx, _Line, _pad, _Scenario, _Script

_MAX_CALL_S = 480.0


# --------------------------------------------------------------------------------------------------
# Timing: words, latencies, interruptions
# --------------------------------------------------------------------------------------------------


class _Turn(NamedTuple):
    role: str
    text: str
    words: list[tuple[str, float, float]]  # (word, start s, end s) from call start
    interrupted: bool


def _speak(text: str, t: float, rng: random.Random, pace: float) -> list[tuple[str, float, float]]:
    words = []
    for w in text.split():
        d = (0.07 + 0.05 * len(w)) * pace * (0.85 + 0.3 * rng.random())
        words.append((w, round(t, 3), round(t + d, 3)))
        t += d + 0.02 + 0.06 * rng.random() + (0.25 if w[-1] in ",.?!" else 0.0)
    return words


def _latency(rng: random.Random, role: str) -> float:
    """Gap before a reply, in seconds: the agent's LLM+TTS latency, or the caller's reaction time."""
    if role == "agent":
        return min(2.5, 0.45 + rng.gammavariate(2.0, 0.3))
    return 0.4 + rng.betavariate(2.0, 4.0) * 2.1


def _timeline(lines: list[_Line], rng: random.Random, hold: tuple[float, float]) -> tuple[list[_Turn], list[float]]:
    """Turns with word timestamps, plus the agent's response latencies in seconds."""
    turns: list[_Turn] = []
    latencies: list[float] = []
    user_pace = 0.85 + 0.35 * rng.random()
    t = 0.4 + rng.random() * 0.8
    for role, text in lines:
        if turns:
            prev = turns[-1]
            end = prev.words[-1][2]
            if prev.role == role:  # same speaker again: a hold while the agent looks something up
                t = end + rng.uniform(*hold)
            elif role == "user" and len(prev.words) >= 10 and rng.random() < 0.07:
                # The caller talks over the agent, who stops mid-sentence.
                keep = prev.words[: int(len(prev.words) * rng.uniform(0.65, 0.9))]
                turns[-1] = _Turn(prev.role, " ".join(w for w, _, _ in keep), keep, True)
                t = keep[-1][2] - rng.uniform(0.1, 0.5)
            else:
                gap = _latency(rng, role)
                if role == "agent":
                    latencies.append(gap)
                t = end + gap
        words = _speak(text, t, rng, 1.0 if role == "agent" else user_pace)
        turns.append(_Turn(role, text, words, False))
    return turns, latencies


# --------------------------------------------------------------------------------------------------
# A conversation: script + timing + analysis, platform-neutral, with cached platform renderings
# --------------------------------------------------------------------------------------------------

_END_KINDS_NOT_CONNECTED = {"no_answer", "busy"}


class _Conversation:
    __slots__ = (
        "_el",
        "_retell",
        "_stages",
        "_vapi",
        "_vapi_metrics",
        "agent_chars",
        "analysable",
        "data",
        "direction",
        "duration",
        "end",
        "latencies",
        "score",
        "sentiment",
        "successful",
        "summary",
        "turns",
        "webable",
    )

    def __init__(self, scenario: _Scenario, script: _Script, rng: random.Random, ok: bool) -> None:
        self.direction = scenario.direction
        self.webable = scenario.webable
        self.summary = script.summary
        self.sentiment = script.sentiment
        self.data = script.data
        self.successful = ok
        self.turns, self.latencies = _timeline(script.lines, rng, scenario.hold)
        self.analysable = len(self.turns) >= 2  # Vapi and ElevenLabs skip analysis below 2 messages
        self.score = rng.randint(7, 10) if ok else rng.randint(1, 6)  # for Vapi numeric/descriptive rubrics
        self.agent_chars = sum(len(t.text) for t in self.turns if t.role == "agent")
        last = self.turns[-1].words[-1][2] if self.turns else 0.0
        if script.end is not None:
            self.end = script.end
        else:
            self.end = "agent_hangup" if self.turns[-1].role == "agent" and rng.random() < 0.6 else "user_hangup"
        # Callers who hang up at once still take a few seconds to do it.
        self.duration = max(last + 0.4 + 1.6 * rng.random(), 5.0 + rng.random() * 2) if self.turns else 0.0
        # Platform renderings, made on first use (see retell.py, vapi.py and elevenlabs.py).
        self._retell: tuple[str, list[dict[str, Any]], dict[str, Any] | None] | None = None
        self._vapi: str | None = None
        self._vapi_metrics: dict[str, Any] | None = None
        self._el: tuple[list[dict[str, Any]], dict[str, Any]] | None = None
        self._stages: list[_Stages] | None = None

    @property
    def connected(self) -> bool:
        return self.end not in _END_KINDS_NOT_CONNECTED

    def partial(self, elapsed: float) -> list[_Turn]:
        """The turns as far as they have been spoken `elapsed` seconds into the call."""
        out = []
        for turn in self.turns:
            words = [w for w in turn.words if w[1] < elapsed]
            if not words:
                break
            if len(words) < len(turn.words):
                turn = _Turn(turn.role, " ".join(w for w, _, _ in words), words, False)
            out.append(turn)
        return out


class _Stages(NamedTuple):
    """One agent response's latency (the gap the caller waited, `e2e`) split into pipeline stages, in ms.

    e2e = asr + endpointing + kb + llm + tts + network: `asr` is the transcriber's lag behind the
    speech, `endpointing` the wait to be sure the caller has finished, `kb` a knowledge-base lookup
    (renderings for an agent without one count it as LLM time), `llm` the model's time to a first
    speakable chunk, `tts` the voice's time to a first byte, `network` what is left (transport,
    websocket round trips).
    """

    e2e: int
    asr: int
    endpointing: int
    kb: int
    llm: int
    tts: int
    network: int


def _stages(conv: _Conversation) -> list[_Stages]:
    """The conversation's response latencies split into stages (made once, then shared).

    Drawn from a generator seeded by the latencies themselves, so the shared rng that builds the traffic
    is never touched: adding this changed no other generated value.
    """
    if conv._stages is None:
        rng = random.Random(f"stages|{conv.latencies!r}")
        stages = []
        for gap in conv.latencies:
            e2e = round(gap * 1000)
            asr = round(e2e * rng.uniform(0.1, 0.16))
            endpointing = round(e2e * rng.uniform(0.08, 0.14))
            kb = round(e2e * rng.uniform(0.05, 0.1))
            tts = round(e2e * rng.uniform(0.16, 0.24))
            network = round(e2e * rng.uniform(0.02, 0.05))
            llm = e2e - asr - endpointing - kb - tts - network
            stages.append(_Stages(e2e, asr, endpointing, kb, llm, tts, network))
        conv._stages = stages
    return conv._stages


def _build(profile: _Profile, scenario: _Scenario, rng: random.Random, ok: bool) -> _Conversation:
    ctx = _Ctx(rng, profile)
    script = scenario.script(ctx, ok)
    if scenario.turns is not None:
        lines = _pad(ctx, script.lines, rng.randint(*scenario.turns), scenario)
        script = script._replace(lines=lines)
    conv = _Conversation(scenario, script, rng, ok)
    while conv.duration > _MAX_CALL_S and len(script.lines) > 4:  # keep calls under 8 minutes
        script = script._replace(lines=script.lines[:2] + script.lines[4:])
        conv = _Conversation(scenario, script, rng, ok)
    return conv


def _with_sentiment(conv: _Conversation) -> dict[str, Any]:
    """Custom extraction plus a lowercase "sentiment" item: Vapi has no sentiment field and ElevenLabs
    reports one only in list summaries, so agencies add it to their extraction schema."""
    if conv.sentiment is None:
        return conv.data
    return {**conv.data, "sentiment": conv.sentiment.lower()}

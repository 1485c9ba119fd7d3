"""Timing and turn-taking features of one call, computed from its transcript turns.

Pure Python and fast (no regexes, no sorting beyond the turns themselves): the scorer runs this
on every call as it arrives. Times come from per-word timestamps when the platform gives them
(Retell), else from turn start/end (Vapi), else from turn starts only (ElevenLabs gives whole
seconds and no end), else they are unknown and the timing features are None.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

# Speaking rate used to estimate how long a turn lasted when the platform gave no end time.
WORDS_PER_SECOND = 2.5
# Overlap shorter than this is normal turn-taking jitter, not talking over someone.
OVERLAP_TOLERANCE_S = 0.3
SPEAKERS = ("agent", "user")
_ROLE_ALIASES = {
    "agent": "agent",
    "bot": "agent",
    "assistant": "agent",
    "ai": "agent",
    "user": "user",
    "customer": "user",
    "caller": "user",
}


@dataclass(slots=True)
class CallFeatures:
    """What the scorer knows about a call's shape. Seconds unless the name says ms."""

    duration_s: float | None = None
    turn_count: int = 0  # agent + caller turns, consecutive lines of one speaker merged
    agent_turns: int = 0
    user_turns: int = 0
    agent_words: int = 0
    user_words: int = 0
    agent_talk_s: float = 0.0  # measured, or estimated from words when there is no timing
    user_talk_s: float = 0.0
    talk_ratio: float | None = None  # agent talk time / (agent + caller talk time)
    longest_monologue_s: float = 0.0  # longest stretch of one speaker without the other
    longest_monologue_role: str | None = None
    longest_agent_monologue_s: float = 0.0
    latencies_ms: list[int] = field(default_factory=list)  # caller stops -> agent starts
    latency_p50_ms: int | None = None
    latency_p90_ms: int | None = None
    interruptions: int | None = None  # one speaker took the floor while the other was talking
    agent_interruptions: int | None = None  # the agent talked over the caller
    user_interruptions: int | None = None  # the caller cut the agent off
    longest_silence_s: float | None = None  # dead air between turns
    time_to_first_agent_word_s: float | None = None
    first_speaker: str | None = None  # agent | user
    timing: str = "none"  # words | turns | starts | none: where the times came from

    @property
    def has_speech(self) -> bool:
        return self.agent_words + self.user_words > 0


def _get(t: Any, name: str) -> Any:
    return t.get(name) if isinstance(t, dict) else getattr(t, name, None)


def _num(x: Any) -> float | None:
    if x is None or isinstance(x, bool):
        return None
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def percentile(sorted_values: list[float], q: float) -> float:
    """Linear-interpolation percentile (q in 0..1) of an already sorted, non-empty list."""
    if len(sorted_values) == 1:
        return sorted_values[0]
    pos = (len(sorted_values) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


class _Seg:
    """One spoken turn: its speaker and word count."""

    __slots__ = ("role", "words")

    def __init__(self, role: str, words: int):
        self.role = role
        self.words = words


class _Timed(_Seg):
    """A spoken turn with its interval in seconds from the start of the call (the end may be an estimate)."""

    __slots__ = ("end", "end_known", "start")

    def __init__(self, role: str, words: int, start: float, end: float, end_known: bool):
        self.role = role
        self.words = words
        self.start = start
        self.end = end
        self.end_known = end_known


def _segments(turns: Iterable[Any]) -> tuple[Sequence[_Seg], list[_Timed] | None, str]:
    """The spoken turns; the same turns with their intervals, or None when some turn has no start; and where
    the times came from. Timed turns come in order of start (the first list is then the timed one too),
    untimed ones in transcript order."""
    spoken: list[tuple[str, int, float | None, float | None]] = []  # role, words, start, end
    n_words_timed = n_end = 0
    all_starts: set[float] = set()  # of every turn, tool turns included
    for t in turns:
        role = _ROLE_ALIASES.get(str(_get(t, "role") or "").lower())
        if role is None:
            st = _num(_get(t, "start"))
            if st is not None:
                all_starts.add(st)
            continue  # tool calls and system prompts are not speech
        text = _get(t, "text") or ""
        n = len(text.split())
        if n == 0:
            continue
        start = end = None
        words = _get(t, "words")
        if words:
            start = _num(_get(words[0], "start"))
            end = _num(_get(words[-1], "end"))
            if start is not None and end is not None:
                n_words_timed += 1
        if start is None:
            start = _num(_get(t, "start"))
        if end is None:
            end = _num(_get(t, "end"))
        if start is not None and end is not None and end < start:
            end = None  # inconsistent data: treat the end as unknown
        if start is not None:
            all_starts.add(start)
            if end is not None:
                n_end += 1
        spoken.append((role, n, start, end))
    timed = [(role, n, start, end) for role, n, start, end in spoken if start is not None]
    if not spoken or len(timed) < len(spoken):
        # Timing only helps when every turn has it; partial timing would mislead.
        return [_Seg(role, n) for role, n, _, _ in spoken], None, "none"
    if n_words_timed == len(spoken):
        source = "words"
    elif n_end == len(spoken):
        source = "turns"
    else:
        source = "starts"
    if source != "words" and all(
        start.is_integer() and (end is None or end in all_starts) for _, _, start, end in timed
    ):
        # Whole-second starts whose ends are only other turns' starts (ElevenLabs' time_in_call_secs,
        # mapped with end = next start): too coarse for latency or overlaps, so keep the starts and
        # estimate the ends.
        source = "starts"
        timed = [(role, n, start, None) for role, n, start, _ in timed]
    timed.sort(key=lambda s: s[2])  # stable: keeps transcript order for equal starts
    segs: list[_Timed] = []
    for i, (role, n, start, end) in enumerate(timed):
        end_known = end is not None
        if end is None:
            est = start + n / WORDS_PER_SECOND
            nxt = timed[i + 1][2] if i + 1 < len(timed) else None
            end = min(est, nxt) if nxt is not None and nxt > start else est
        segs.append(_Timed(role, n, start, end, end_known))
    return segs, segs, source


def compute_features(turns: list[dict] | list[Any], duration_ms: int | None) -> CallFeatures:
    """Features of one call from its turns (dicts or `Turn`s) and its duration in ms (or None)."""
    segs, spans, timing = _segments(turns or [])
    f = CallFeatures(timing=timing, first_speaker=segs[0].role if segs else None)
    timed = spans is not None  # then every turn is a _Timed, and segs is spans

    # Turn counts and talk time.
    prev_role = None
    run_role = None
    run_start = run_end = 0.0
    run_words = 0
    for s in segs:
        if s.role == "agent":
            f.agent_words += s.words
        else:
            f.user_words += s.words
        if s.role != prev_role:
            f.turn_count += 1
            if s.role == "agent":
                f.agent_turns += 1
            else:
                f.user_turns += 1
        prev_role = s.role

    if spans is not None:
        for sp in spans:
            d = max(0.0, sp.end - sp.start)
            if sp.role == "agent":
                f.agent_talk_s += d
            else:
                f.user_talk_s += d
    else:
        f.agent_talk_s = f.agent_words / WORDS_PER_SECOND
        f.user_talk_s = f.user_words / WORDS_PER_SECOND
    total_talk = f.agent_talk_s + f.user_talk_s
    if total_talk > 0:
        f.talk_ratio = f.agent_talk_s / total_talk

    # Monologues: a stretch of one speaker's consecutive turns, until the other speaks.
    def close_run() -> None:
        length = (run_end - run_start) if timed else run_words / WORDS_PER_SECOND
        if length > f.longest_monologue_s:
            f.longest_monologue_s = length
            f.longest_monologue_role = run_role
        if run_role == "agent" and length > f.longest_agent_monologue_s:
            f.longest_agent_monologue_s = length

    for s in segs:
        if s.role != run_role:
            if run_role is not None:
                close_run()
            run_role, run_words = s.role, 0
            if isinstance(s, _Timed):
                run_start, run_end = s.start, s.end
        run_words += s.words
        if isinstance(s, _Timed) and s.end > run_end:
            run_end = s.end
    if run_role is not None:
        close_run()

    if spans is not None:
        _timing_features(f, spans)

    if duration_ms is not None and duration_ms >= 0:
        f.duration_s = duration_ms / 1000.0
    elif spans is not None:
        f.duration_s = max(sp.end for sp in spans)
    return f


def _timing_features(f: CallFeatures, segs: list[_Timed]) -> None:
    latencies: list[float] = []
    agent_int = user_int = 0
    longest_gap = 0.0
    first_agent: float | None = None
    # The latest end seen so far per speaker, and whether that end was measured.
    last_end: dict[str, float | None] = {"agent": None, "user": None}
    last_end_known = {"agent": False, "user": False}
    floor_end: float | None = None  # the latest end of anyone's speech so far
    prev: _Timed | None = None
    for s in segs:
        if s.role == "agent" and first_agent is None:
            first_agent = s.start
        other = "user" if s.role == "agent" else "agent"
        o_end = last_end[other]
        # Talking over: starting while the other speaker is still talking, and not merely a
        # backchannel inside their speech ("mm-hmm"): the newcomer keeps talking after they stop.
        if (
            o_end is not None
            and last_end_known[other]
            and s.end_known
            and s.start < o_end - OVERLAP_TOLERANCE_S
            and s.end > o_end
        ):
            if s.role == "agent":
                agent_int += 1
            else:
                user_int += 1
        # Response latency: the caller finished a turn and the agent answered.
        if (
            s.role == "agent"
            and prev is not None
            and prev.role == "user"
            and prev.end_known
            and s.start >= prev.end - OVERLAP_TOLERANCE_S
        ):
            latencies.append(max(0.0, s.start - prev.end))
        if floor_end is not None and s.start > floor_end:
            gap = s.start - floor_end
            if gap > longest_gap:
                longest_gap = gap
        if floor_end is None or s.end > floor_end:
            floor_end = s.end
        own_end = last_end[s.role]
        if own_end is None or s.end >= own_end:
            last_end[s.role] = s.end
            last_end_known[s.role] = s.end_known
        prev = s

    f.latencies_ms = [round(x * 1000) for x in latencies]
    if latencies:
        latencies.sort()
        f.latency_p50_ms = round(percentile(latencies, 0.5) * 1000)
        f.latency_p90_ms = round(percentile(latencies, 0.9) * 1000)
    if f.timing != "starts":  # whole-second starts cannot show overlaps
        f.agent_interruptions = agent_int
        f.user_interruptions = user_int
        f.interruptions = agent_int + user_int
    f.longest_silence_s = round(longest_gap, 2)
    f.time_to_first_agent_word_s = first_agent

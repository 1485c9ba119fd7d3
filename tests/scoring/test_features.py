"""Features from turn timing: talk time, monologues, latency, interruptions, silence."""

from __future__ import annotations

import pytest

from voiceconsole.platforms.base import Turn, Word
from voiceconsole.scoring.features import compute_features, percentile


def t(role, text, start=None, end=None, words=None):
    return {"role": role, "text": text, "start": start, "end": end, **({"words": words} if words else {})}


CONVERSATION = [
    t("agent", "Hello, how can I help?", 0.5, 2.0),
    t("user", "I need to move my appointment.", 3.0, 5.0),
    t("agent", "Sure, to which day?", 5.8, 7.0),  # answered 0.8 s after the caller stopped
    t("user", "Friday please.", 9.0, 10.0),
    t("agent", "Done, you are booked for Friday.", 12.0, 14.0),  # 2.0 s
]


def test_talk_time_ratio_and_turns():
    f = compute_features(CONVERSATION, 15_000)
    assert f.timing == "turns"
    assert f.turn_count == 5 and f.agent_turns == 3 and f.user_turns == 2
    assert f.agent_talk_s == pytest.approx(1.5 + 1.2 + 2.0)
    assert f.user_talk_s == pytest.approx(2.0 + 1.0)
    assert f.talk_ratio == pytest.approx(4.7 / 7.7)
    assert f.duration_s == 15.0


def test_latency_percentiles_from_turn_times():
    f = compute_features(CONVERSATION, 15_000)
    assert f.latencies_ms == [800, 2000]
    assert f.latency_p50_ms == 1400
    assert f.latency_p90_ms == 1880


def test_longest_silence_and_first_agent_word():
    f = compute_features(CONVERSATION, 15_000)
    assert f.longest_silence_s == 2.0  # 10.0 -> 12.0
    assert f.time_to_first_agent_word_s == 0.5
    assert f.interruptions == 0


def test_word_timestamps_take_precedence_over_turn_times():
    words_user = [{"word": "Friday", "start": 9.0, "end": 9.4}, {"word": "please.", "start": 9.5, "end": 9.9}]
    words_agent = [{"word": "Done.", "start": 10.2, "end": 10.6}]
    f = compute_features(
        [
            t("user", "Friday please.", 0, 100, words_user),  # turn times wrong on purpose
            t("agent", "Done.", 0, 100, words_agent),
        ],
        None,
    )
    assert f.timing == "words"
    assert f.latencies_ms == [300]
    assert f.duration_s == pytest.approx(10.6)  # no duration given: the last word's end


def test_consecutive_turns_of_one_speaker_form_one_monologue():
    f = compute_features(
        [
            t("agent", "Part one of a long speech.", 0.0, 20.0),
            t("agent", "Part two of a long speech.", 20.5, 45.0),
            t("user", "Okay.", 46.0, 46.5),
        ],
        47_000,
    )
    assert f.turn_count == 2
    assert f.longest_agent_monologue_s == pytest.approx(45.0)
    assert f.longest_monologue_role == "agent"


def test_agent_talking_over_the_caller_is_an_interruption():
    f = compute_features(
        [
            t("user", "I was wondering whether you could", 0.0, 4.0),
            t("agent", "Sure, let me book that for you right away.", 2.5, 6.0),
        ],
        6_000,
    )
    assert f.agent_interruptions == 1 and f.user_interruptions == 0 and f.interruptions == 1
    assert f.latencies_ms == []  # not a response: it cut in


def test_backchannel_inside_the_other_speech_is_not_an_interruption():
    f = compute_features(
        [
            t("agent", "Your appointment is on Friday at nine in the morning with Doctor Lee.", 0.0, 6.0),
            t("user", "Mm-hmm.", 2.0, 2.5),
            t("agent", "Anything else?", 7.0, 8.0),
        ],
        8_000,
    )
    assert f.interruptions == 0


def test_caller_barging_in_counts_for_the_caller():
    f = compute_features(
        [
            t("agent", "Let me read you our full list of services, starting with", 0.0, 8.0),
            t("user", "No, I just need the price of an oil change.", 5.0, 9.0),
        ],
        9_000,
    )
    assert f.user_interruptions == 1 and f.agent_interruptions == 0


def test_no_timing_gives_word_based_talk_and_no_voice_timings():
    f = compute_features([t("agent", "one two three four"), t("user", "five six")], None)
    assert f.timing == "none"
    assert f.talk_ratio == pytest.approx(4 / 6)
    assert f.latency_p50_ms is None and f.interruptions is None and f.longest_silence_s is None
    assert f.duration_s is None


def test_partial_timing_is_ignored():
    f = compute_features([t("agent", "hello there", 0.0, 1.0), t("user", "hi")], 2_000)
    assert f.timing == "none"
    assert f.latency_p50_ms is None


def test_whole_second_starts_only_give_no_latency_or_interruptions():
    # ElevenLabs: time_in_call_secs only; an end, if any, is just the next start.
    f = compute_features(
        [
            t("agent", "Hi, how can I help?", 0, 3),
            t("user", "What time do you open?", 3, 6),
            t("agent", "We open at eight.", 6, None),
        ],
        9_000,
    )
    assert f.timing == "starts"
    assert f.latency_p50_ms is None and f.interruptions is None
    assert f.talk_ratio is not None


def test_tool_and_system_turns_are_not_speech():
    f = compute_features(
        [
            t("system", "You are a receptionist.", 0.0, 0.0),
            t("agent", "Hello!", 0.5, 1.0),
            t("tool", "check_calendar()", 1.0, 1.0),
            t("user", "Hi.", 1.5, 2.0),
        ],
        2_000,
    )
    assert f.turn_count == 2 and f.agent_words == 1 and f.user_words == 1


def test_turn_objects_and_dicts_give_the_same_features():
    turns = [
        Turn("agent", "Hello there.", 0.0, 1.0, [Word("Hello", 0.0, 0.4), Word("there.", 0.5, 1.0)]),
        Turn("user", "Hi.", 1.8, 2.2),
    ]
    assert compute_features(turns, 3_000) == compute_features([x.to_dict() for x in turns], 3_000)


def test_empty_call():
    f = compute_features([], None)
    assert f.turn_count == 0 and not f.has_speech and f.talk_ratio is None


def test_percentile_interpolates():
    assert percentile([1.0], 0.9) == 1.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert percentile([0.0, 10.0], 0.9) == pytest.approx(9.0)

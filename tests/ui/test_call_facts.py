"""The call page's measured facts in words: whose latency the tiles show, stages, cost and recordings."""

from __future__ import annotations

from voiceconsole.ui.state import call_facts


def test_latency_source_names_the_platform_and_stage_or_the_estimate():
    measured = {"latencySource": "platform", "latencyStage": "e2e"}
    assert call_facts.latency_source(measured, "retell") == "Response time measured by Retell (end to end)"
    assert call_facts.latency_source({"latencySource": "platform", "latencyStage": "turn"}, "vapi") == (
        "Response time measured by Vapi (turn)"
    )
    assert "estimated from the transcript" in call_facts.latency_source({"latencySource": "transcript"}, "retell")
    assert call_facts.latency_source({"latencySource": None}, "retell") == ""
    assert call_facts.latency_source(None, "retell") == ""


def test_stages_come_in_pipeline_order_with_averages_marked():
    rows = call_facts.latency_stages(
        {
            "platformLatency": {
                "tts": {"p50": 240.0, "p90": 310.0, "max": 1200.0},
                "e2e": {"p50": 1180.0, "p90": 1725.5, "max": 2600.0},
                "mystery_stage": {"p50": 5.0},
                "model": {"avg": 700.4},
            }
        }
    )
    assert [r["key"] for r in rows] == ["e2e", "model", "tts", "mystery_stage"]
    assert rows[0] == {"key": "e2e", "stage": "End to end", "p50": "1.18 s", "p90": "1.73 s", "max": "2.60 s"}
    assert rows[1]["p50"] == "700 ms avg" and rows[1]["p90"] == "—"
    assert rows[3]["stage"] == "Mystery stage"


def test_the_estimate_is_noted_only_when_the_platform_figure_is_the_headline():
    both = {"latencySource": "platform", "estimatedLatencyP50Ms": 950, "estimatedLatencyP90Ms": 1400}
    assert call_facts.estimate_note(both) == "Transcript estimate (used by the score): p50 950 ms, p90 1.40 s"
    assert call_facts.estimate_note({**both, "latencySource": "transcript"}) == ""
    assert call_facts.estimate_note({"latencySource": "platform", "estimatedLatencyP50Ms": None}) == ""


def test_credits_are_shown_as_credits_unless_converted():
    assert call_facts.cost_note({"cost": None, "costCredits": 1250}) == (
        "Billed in credits; set a credit rate to see USD"
    )
    assert call_facts.cost_note({"cost": 0.15, "costCredits": 1250, "costFromCredits": True}) == (
        "1,250 credits, converted at the rate this deployment sets"
    )
    assert call_facts.cost_note({"cost": 0.12, "costCredits": None}) == ""


def test_cost_items_read_usd_credits_and_quantities():
    items = call_facts.cost_items(
        {
            "costBreakdown": [
                {"name": "elevenlabs_tts", "usd": 0.07, "quantity": 95.0, "unit": "seconds"},
                {"name": "llm", "credits": 800},
                {"name": "transport", "usd": 0.004},
            ]
        }
    )
    assert items == [
        {"name": "Elevenlabs tts", "amount": "$0.07", "quantity": "95 seconds"},
        {"name": "Llm", "amount": "800 credits", "quantity": ""},
        {"name": "Transport", "amount": "$0.0040", "quantity": ""},
    ]


def test_other_recordings_leave_out_the_main_one_and_empty_urls():
    wire = {
        "recordingUrl": "https://r.example/main.wav",
        "recordings": {
            "stereo": "https://r.example/stereo.wav",
            "mono": "https://r.example/main.wav",
            "scrubbed": "",
        },
    }
    assert call_facts.other_recordings(wire) == [{"label": "Stereo recording", "url": "https://r.example/stereo.wav"}]


def test_a_call_dated_by_first_sight_is_labelled():
    wire = {"startedAt": "2026-03-02T10:15:00Z", "startedAtSource": "first_seen"}
    assert call_facts.started_label(wire, "UTC").endswith("(first seen)")
    assert not call_facts.started_label({**wire, "startedAtSource": "platform"}, "UTC").endswith("(first seen)")

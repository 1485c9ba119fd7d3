"""The display helpers of `voiceconsole/ui/format.py`: names shortened from the middle, changes only against a
period with enough calls, score changes in points, and one decimal policy per figure."""

from __future__ import annotations

import pytest

from voiceconsole.ui import format as fmt


@pytest.mark.parametrize(
    ("text", "limit", "shown"),
    [
        ("Bright Smile Dental – Front Desk", 44, "Bright Smile Dental – Front Desk"),  # fits: unchanged
        ("Bright Smile Dental – Lead Follow-up", 30, "Bright Smile De…Lead Follow-up"),
        ("Bright Smile Dental – Reminders", 24, "Bright Smile…– Reminders"),
        ("  spaced   out  ", 44, "spaced out"),  # whitespace is normalised first
        (None, 10, ""),
        ("abcdef", 1, "…"),
        ("abcdef", 0, ""),
    ],
)
def test_middle_ellipsis_keeps_both_ends(text, limit, shown):
    assert fmt.middle_ellipsis(text, limit) == shown
    assert len(fmt.middle_ellipsis(text, limit)) <= max(limit, 0)


def test_middle_ellipsis_keeps_what_tells_two_agents_apart():
    a = "Bright Smile Dental Group Holdings – Lead Follow-up Outbound"
    b = "Bright Smile Dental Group Holdings – Appointment Reminders"
    short_a, short_b = fmt.middle_ellipsis(a), fmt.middle_ellipsis(b)
    assert len(short_a) == len(short_b) == fmt.NAME_LIMIT
    assert short_a.endswith("Follow-up Outbound") and short_b.endswith("Appointment Reminders")
    assert short_a.startswith("Bright Smile") and "…" in short_a


@pytest.mark.parametrize(
    ("name", "client", "label"),
    [
        ("Bright Smile Dental – Front Desk", "Bright Smile Dental", "Front Desk"),
        ("Acme - Sales", "acme", "Sales"),  # any case, any of the usual separators
        ("Acme: Support line", "Acme", "Support line"),
        ("Acme Front Desk", "Acme", "Acme Front Desk"),  # no separator: the client's name is part of the name
        ("Acme – ", "Acme", "Acme –"),  # nothing after the separator: keep it all
        ("Front Desk", "", "Front Desk"),
        ("Front Desk", None, "Front Desk"),
    ],
)
def test_agent_label_drops_the_clients_name_in_front(name, client, label):
    assert fmt.agent_label(name, client) == label


def test_a_change_needs_enough_calls_in_the_previous_period():
    minimum = fmt.MIN_CALLS_TO_COMPARE
    assert fmt.delta_label(12.34, 400, 420) == "+12.3%"
    assert fmt.delta_label(-3.0, 400, 380) == "−3.0%"
    assert fmt.delta_label(5569.0, 1, 57) == fmt.DASH  # one call before: noise, not "+5,569%"
    assert fmt.delta_label(8576.5, 34, 2950) == fmt.DASH  # under a tenth of this period's calls
    assert fmt.delta_label(None, 0, 57) == fmt.NEW  # nothing before: new
    assert fmt.delta_label(None, 0, 0) == fmt.DASH  # nothing either side
    assert fmt.delta_label(50.0, minimum, minimum) == "+50.0%"  # at the minimum: shown
    assert fmt.delta_label(50.0, minimum - 1, minimum) == fmt.DASH
    assert fmt.comparable(minimum, int(minimum / fmt.MIN_SHARE_TO_COMPARE))
    assert not fmt.comparable(minimum, int(minimum / fmt.MIN_SHARE_TO_COMPARE) + 1)
    assert not fmt.comparable(None)


def test_score_changes_are_in_points():
    assert fmt.delta_label(3.2, 50, 60, points=True) == "+3.2 pts"
    assert fmt.points_label(-2.94) == "−2.9 pts"
    assert fmt.points_label(11) == "+11.0 pts"
    assert fmt.points_label(0.04) == "0.0 pts"  # rounds to nothing: no sign
    assert fmt.points_label(None) == fmt.DASH
    assert fmt.score_points(76.6, 73.4) == 3.2
    assert fmt.score_points(76.6, None) is None


def test_one_decimal_policy_per_figure():
    # Averages of scores: always one decimal, so 76 never stands beside 76.6.
    assert [fmt.avg_score(v) for v in (76, 76.0, 76.6, 76.66, None)] == ["76.0", "76.0", "76.6", "76.7", fmt.DASH]
    # One call's score: a whole number, as the scorer gives it.
    assert [fmt.score_text(v) for v in (76, 76.4, None)] == ["76", "76", fmt.DASH]
    # Rates: a percent with one decimal.
    assert [fmt.percent(v) for v in (0.78, 0.784, 1, 0, None)] == ["78.0%", "78.4%", "100.0%", "0.0%", fmt.DASH]
    # Percent changes: one decimal, thousands separated.
    assert [fmt.change_label(v) for v in (10, 12.5, -0.04, 1234.5, None)] == [
        "+10.0%",
        "+12.5%",
        "0.0%",
        "+1,234.5%",
        fmt.DASH,
    ]


def test_why_the_browser_refused_a_file():
    from voiceconsole.ui.format import upload_rejected

    big = [{"file": {"path": "leads.csv"}, "errors": [{"code": "file-too-large", "message": "File is larger"}]}]
    assert upload_rejected(big, 50 * 1024 * 1024) == "The file is over 50 MB, the most one upload takes"
    wrong = [{"file": {"path": "leads.xlsx"}, "errors": [{"code": "file-invalid-type", "message": "type"}]}]
    assert upload_rejected(wrong, 5 * 1024 * 1024) == "Choose a CSV file (.csv)"
    assert upload_rejected([{"errors": [{"code": "too-many-files"}]}], 1) == "Choose one file"
    assert upload_rejected([], 1) == "The browser refused the file"

"""The caller's turns read in context (scorer local-2): each reply against what the agent had just said.

Hand-built calls whose right answer is known: a "No" that closes the call is not push-back, a "No"
to a read-back is; praise in a story is not acceptance; being told "no" and asking for other
options lower the tone and the outcome; a booking the agent got done after a detour still scores
well, but below a smooth one.
"""

from __future__ import annotations

import pytest

from tests.support.calls import BOOKING, make_call
from voiceconsole.scoring import SCORER_VERSION, score_call
from voiceconsole.scoring import outcome as oc
from voiceconsole.scoring.sentiment import read_caller_sentiment


def breakdown(script, **kw):
    return score_call(make_call(script, **kw)).breakdown


def reasons(b, category):
    return " | ".join(b[category]["reasons"])


# --- a "No" read against the agent's turn -------------------------------------------------------


@pytest.mark.parametrize(
    "prompt, reply, expected",
    [
        # Turning down or correcting what the agent said or proposed.
        ("so that's tuesday the 4th at 10 am, is that right?", "no, the 7th.", True),
        ("i can book you in for friday at 4.", "no, i work fridays.", True),
        ("shall i book it?", "not right now.", True),
        ("you'd like a regular ride?", "actually, no. make it a shared one.", True),
        ("your name is maria lopes?", "that's not right, it's lopez.", True),
        # Closing the call, or answering a question about the caller: not push-back.
        ("is there anything else i can help you with?", "no, that's everything.", False),
        ("can i help with anything else?", "nope.", False),
        ("you're all set for tuesday.", "no, thank you, bye.", False),
        ("have you visited us before?", "no, this is my first time.", False),
        ("do you have a preferred technician?", "no.", False),
        ("what time works for you?", "no preference, any time is fine.", False),
        ("which day suits you?", "tuesday is great.", False),
        # No agent turn before it: only an explicit "that's wrong" counts.
        (None, "no, the 7th.", False),
        (None, "that's not right.", True),
    ],
)
def test_says_no_to_agent(prompt, reply, expected):
    assert oc.says_no_to_agent(prompt, reply) is expected


def test_replies_pair_each_caller_turn_with_the_agent_turn_before_it():
    ex = oc.read_exchanges(
        [
            ("agent", "Thanks for calling Comfort Zone HVAC, how can I help?"),
            ("user", "My heater stopped working."),
            ("agent", "I'm sorry, we have no technicians free today. How about tomorrow at 9?"),
            ("user", "No, I need someone today."),
            ("user", "Is there any other option?"),
            ("agent", "I can put you on the waiting list."),
            ("user", "Okay, sounds good."),
        ]
    )
    assert len(ex.replies) == 4 and ex.agent_answers == 2 and ex.agent_no == 1
    first, pushed, other, accepted = ex.replies
    assert not (first.after_no or first.push_back or first.accepts)
    assert pushed.after_no and pushed.push_back and not pushed.wants_other
    assert not other.after_no and other.wants_other == "Is there any other option?"  # no agent turn between
    assert accepted.accepts == 1 and accepted.accepts_quote == "Okay, sounds good."
    assert ex.agent_no_quote == "I'm sorry, we have no technicians free today."


@pytest.mark.parametrize(
    "agent, says_no",
    [
        ("I'm sorry, we don't have any openings on Saturday.", True),
        ("Parking is not included in the rate.", True),
        ("The clinic doesn't offer evening appointments.", True),
        ("There are no tables left at 7.", True),
        ("No problem, I can do that.", False),
        ("Your table is booked for 7 pm.", False),
        ("Don't worry, the technician will call before arriving.", False),
    ],
)
def test_agent_saying_no_with_or_without_an_apology(agent, says_no):
    ex = oc.read_exchanges([("user", "Can you help me?"), ("agent", agent)])
    assert (ex.agent_no == 1) is says_no


# --- acceptance is a reaction, praise in a story is not ------------------------------------------


def test_praise_in_a_story_is_not_acceptance_but_an_opening_reaction_is():
    story = oc.read_exchanges(
        [
            ("agent", "How can I help?"),
            ("user", "My boiler is leaking again. Last year your technician fixed it and he was awesome."),
        ]
    )
    assert story.replies[0].accepts == 0
    reaction = oc.read_exchanges(
        [
            ("agent", "I can send the same technician tomorrow at 9."),
            ("user", "Perfect. What should I do until then?"),
        ]
    )
    assert reaction.replies[0].accepts == 1
    explicit = oc.read_exchanges(
        [
            ("agent", "He will call you 30 minutes before he arrives."),
            ("user", "Good to know. Thanks for your help."),
        ]
    )
    assert explicit.replies[0].accepts == 1


# --- sentiment in context ------------------------------------------------------------------------


def _okay_after(agent_line):
    return [
        ("agent", "Thanks for calling Bright Smile Dental, how can I help?"),
        ("user", "I'd like a cleaning on Saturday morning."),
        ("agent", agent_line),
        ("user", "Okay."),
    ]


def test_the_same_words_read_lower_after_the_agent_says_no():
    good = breakdown(_okay_after("You're all set for Saturday at 9 AM."))["sentiment"]
    told_no = breakdown(_okay_after("I'm sorry, we don't have any openings on Saturday."))["sentiment"]
    assert told_no["score"] < good["score"] - 10
    assert "answered the agent's \u201cno\u201d once" in reasons({"s": told_no}, "s")
    assert not any(r.startswith("Tone read in context") for r in good["reasons"])


def test_pushing_back_and_asking_for_other_options_lower_the_tone():
    script = [
        ("agent", "I can book you on Tuesday at 10 AM. Does that work?"),
        ("user", "No, I work on Tuesdays."),
        ("agent", "I also have Wednesday at 10 AM."),
        ("user", "Do you have any other times? Mornings are hard for me."),
        ("agent", "Wednesday at 5 PM is open."),
        ("user", "Okay."),
    ]
    caller = [t for r, t in script if r == "user"]
    plain = read_caller_sentiment(caller)
    in_context = read_caller_sentiment(caller, oc.read_exchanges(script).replies)
    assert in_context.mean < plain.mean - 0.1
    assert (in_context.pushed_back, in_context.wanted_other, in_context.accepted) == (1, 1, 0)
    b = breakdown(script)["sentiment"]
    assert (
        "Tone read in context, lowered: caller said no to the agent once, asked for other options once"
        in (b["reasons"])
    )


def test_accepting_the_agents_answer_lifts_the_tone():
    script = [
        ("agent", "I have Tuesday at 10 AM. Shall I book it?"),
        ("user", "Sounds good."),
        ("agent", "Done, you're all set."),
        ("user", "Okay."),
    ]
    caller = [t for r, t in script if r == "user"]
    assert (
        read_caller_sentiment(caller, oc.read_exchanges(script).replies).mean > read_caller_sentiment(caller).mean + 0.1
    )
    assert (
        "Tone read in context, lifted: caller accepted what the agent said once"
        in breakdown(script)["sentiment"]["reasons"]
    )


def test_a_closing_no_stays_neutral_in_context():
    script = [("agent", "You're all set. Is there anything else I can help with?"), ("user", "No.")]
    reading = read_caller_sentiment(["No."], oc.read_exchanges(script).replies)
    assert reading.mean == 0.0 and reading.pushed_back == 0


def test_replies_that_do_not_line_up_are_ignored():
    assert read_caller_sentiment(["Okay."], []).mean == read_caller_sentiment(["Okay."]).mean


# --- outcome -------------------------------------------------------------------------------------

DETOUR = [
    ("agent", "Thanks for calling Bright Smile Dental, this is Ava. How can I help you today?"),
    ("user", "Hi, I'd like to book a cleaning on Saturday."),
    ("agent", "I'm sorry, we don't have any openings on Saturday. How about Friday at 4 PM?"),
    ("user", "No, I work on Fridays. Do you have any other times?"),
    ("agent", "I have Monday at 9 AM. Shall I book it?"),
    ("user", "Yes please, that works for me."),
    ("agent", "Great, you're all set for Monday at 9 AM. Is there anything else I can help you with?"),
    ("user", "No, that's everything. Thank you!"),
    ("agent", "You're welcome, have a great day!"),
]


def test_a_booking_after_a_detour_scores_well_but_below_a_smooth_one():
    smooth = breakdown(BOOKING, end_reason="agent_hangup")["outcome"]
    detour = breakdown(DETOUR, end_reason="agent_hangup")["outcome"]
    assert smooth["score"] >= 85
    assert 65 <= detour["score"] < smooth["score"]
    why = " | ".join(detour["reasons"])
    assert "Agent confirmed the task was done" in why
    assert (
        "Agent could not do what was asked in 1 of its 4 answers, then found a way "
        "(\u201cI'm sorry, we don't have any openings on Saturday.\u201d)"
    ) in why
    assert "Caller said no to what the agent said or proposed (\u201cNo, I work on Fridays.\u201d)" in why
    assert "Caller asked for other options (\u201cDo you have any other times?\u201d)" in why


def test_a_no_the_agent_never_worked_around_costs_more():
    stuck = [
        *DETOUR[:4],
        ("agent", "I'm afraid we don't have anything else this week."),
        ("user", "Okay, I'll call back next week."),
        ("agent", "Sounds good. Have a great day!"),
    ]
    b = breakdown(stuck, end_reason="user_hangup")["outcome"]
    assert b["score"] < 45
    why = " | ".join(b["reasons"])
    assert "Agent could not do what was asked in 2 of its 3 answers" in why and "found a way" not in why


def test_outcome_evidence_no_longer_clips_at_100():
    # Same success evidence, one extra correction: the scores must differ (local-1 gave both 100).
    base = [
        ("agent", "Thanks for calling Bella Cucina, how can I help?"),
        ("user", "I'd like a table for two tonight at 7."),
        ("agent", "Let me check. So that's a table for 2 tonight at 7 PM, is that right?"),
    ]
    tail = [
        ("agent", "Your reservation is confirmed for tonight. Is there anything else I can help with?"),
        ("user", "No, that's all. Thank you so much, that was really helpful, it's perfect!"),
        ("agent", "You're welcome, enjoy your dinner!"),
    ]
    clean = [*base, ("user", "Yes, that's perfect, thanks."), *tail]
    corrected = [
        *base,
        ("user", "No, for four people."),
        ("agent", "A table for 4 at 7 PM, then?"),
        ("user", "Yes, that's perfect, thanks."),
        *tail,
    ]
    a = breakdown(clean, end_reason="agent_hangup")["outcome"]["score"]
    b = breakdown(corrected, end_reason="agent_hangup")["outcome"]["score"]
    assert 85 <= b < a < 100


def test_new_signals_without_a_platform_flag_only_nudge_a_platform_verdict():
    ok = breakdown(DETOUR, successful=True)["outcome"]
    assert ok["score"] >= 85 and ok["reasons"][0] == "Platform marked the call successful"


def test_scorer_version_marks_the_context_reading():
    assert SCORER_VERSION == "local-2"
    assert breakdown(DETOUR)["version"] == "local-2"

"""The "don't call me" detector: a table of the ways people ask, and of what sounds close but is not a request."""

from __future__ import annotations

import pytest

from voiceconsole.scoring.do_not_call import asks_not_to_be_called

ASKS = [
    "Please don't call me again.",
    "Don't call me again",
    "do not call me anymore, thanks",
    "Don’t call this number again!",
    "I said stop calling me.",
    "Stop calling.",
    "Quit calling this number",
    "Take me off your list.",
    "Can you take me off your calling list?",
    "Please remove me from your call list",
    "Remove my number from your database please",
    "Put me on your do not call list.",
    "Add me to the do-not-call list",
    "I'm not interested. Don't call me.",
    "Never call me again",
    "Lose my number.",
    "I don't want any more calls from you",
    "I don't want to be called again",
    "I don't want you calling me",
    "Look, I'm busy. Please stop contacting me, okay?",
    "Do not ever call here again.",
    "Yeah no. Don't call me back. Bye.",
    "I want you to stop calling me.",
    "Hi. Um, who is this?\nOh. No thanks, take my name off your list.",
]
NOT_ASKS = [
    "You can call me back tomorrow.",
    "Don't call me before 5.",
    "Don't call me after 8 pm, I'm asleep.",
    "Don't call me on my cell, call the office instead.",
    "Call me again next week.",
    "Please call me back.",
    "I'll call you back.",
    "Don't call me sir, call me John.",
    "Don't call me until next month.",
    "Don't call me again before Monday.",
    "You don't have to stop calling, I was just busy.",
    "Did you take me off your list?",
    "Am I on the do not call list?",
    "What's a do not call list?",
    "I never said don't call me.",
    "Sure, I'm interested, tell me more.",
    "Call me at 5 tomorrow, not today.",
    "I don't want to miss your call tomorrow.",
    "My neighbour told me to stop calling her.",
    "",
]


@pytest.mark.parametrize("said", ASKS)
def test_a_request_not_to_be_called_is_found(said):
    assert asks_not_to_be_called([said]), said


@pytest.mark.parametrize("said", NOT_ASKS)
def test_what_only_sounds_like_one_is_not(said):
    assert asks_not_to_be_called([said]) is None, said


def test_only_the_callers_turns_are_read_and_the_phrase_is_returned():
    assert asks_not_to_be_called(["Sure, go ahead.", "Okay, never mind. Please don't call me again."]) == (
        "don't call me again"
    )
    assert asks_not_to_be_called([]) is None

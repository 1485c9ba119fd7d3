"""Hand-built calls for the scoring tests: a script of (role, text) lines, timed like speech."""

from __future__ import annotations

from typing import Any

from voiceconsole.scoring import ScoringInput

WORDS_PER_SECOND = 2.5


def timed_turns(script: list[tuple], *, gap: float = 0.7, start: float = 0.5) -> list[dict[str, Any]]:
    """Turns with start/end seconds. A line is (role, text) or (role, text, seconds_spoken) or
    (role, text, seconds_spoken, gap_before) to force a duration or a pause."""
    turns = []
    t = start
    for i, line in enumerate(script):
        role, text = line[0], line[1]
        spoken = line[2] if len(line) > 2 and line[2] is not None else max(1, len(text.split())) / WORDS_PER_SECOND
        if i and len(line) > 3:
            t += line[3] - gap
        turns.append({"role": role, "text": text, "start": round(t, 3), "end": round(t + spoken, 3)})
        t += spoken + gap
    return turns


def make_call(script: list[tuple], *, duration_s: float | None = None, gap: float = 0.7, **fields: Any) -> ScoringInput:
    turns = timed_turns(script, gap=gap)
    if duration_s is None:
        duration_s = (turns[-1]["end"] + 0.5) if turns else 0
    return ScoringInput(status=fields.pop("status", "ended"), duration_ms=int(duration_s * 1000), turns=turns, **fields)


BOOKING = [
    ("agent", "Thanks for calling Bright Smile Dental, this is Ava. How can I help you today?"),
    ("user", "Hi, I'd like to book a cleaning for next week."),
    ("agent", "Of course. Can I have your full name, please?"),
    ("user", "Sure, it's Maria Lopez."),
    ("agent", "Thanks, Maria. I have Tuesday at 10 AM or Thursday at 2 PM. Which works better?"),
    ("user", "Tuesday at 10 works for me."),
    (
        "agent",
        "Great, you're all set for Tuesday at 10 AM. You'll get a text confirmation shortly. "
        "Is there anything else I can help you with?",
    ),
    ("user", "No, that's everything. Thank you so much, that was really helpful!"),
    ("agent", "You're welcome, Maria. Have a great day!"),
]

HANGUP = [
    ("agent", "Hi, thanks for calling Comfort Zone HVAC."),
    ("user", "Oh, sorry."),
]

ANGRY = [
    ("agent", "Thanks for calling Precision Auto Care, how can I help?"),
    ("user", "My car was supposed to be ready yesterday and nobody called me."),
    ("agent", "I'm sorry to hear that. Let me look into it. Can I have your name?"),
    ("user", "I ALREADY GAVE YOU MY NAME TWICE!! This is ridiculous."),
    ("agent", "I apologize. I can see the repair is delayed while we wait for a part."),
    ("user", "THIS IS UNACCEPTABLE. I want a refund and I want to speak to a manager right now!"),
    ("agent", "I understand. I'll have the manager call you back today."),
    ("user", "Whatever. This is the worst service I have ever had."),
]

MONOLOGUE = [
    (
        "agent",
        "Hello, this is Sam from Summit Realty Group calling about our new listings. "
        + " ".join(
            [
                "We have several beautiful homes in the area with modern kitchens, large yards and great "
                "schools nearby, and our agents can arrange viewings any day of the week including evenings "
                "and weekends."
            ]
            * 6
        ),
        150.0,
    ),
    ("user", "Okay."),
    (
        "agent",
        "So as I was saying, the market is moving fast and prices are rising, so now is a great time to "
        "consider your options and talk to one of our agents about what your home is worth.",
        40.0,
    ),
]

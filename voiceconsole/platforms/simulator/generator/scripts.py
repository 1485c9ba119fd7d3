"""Conversation scripts: the per-scenario dialogue builders (`_s_book`, `_s_support`, `_s_lead`, ...) that
turn an agent's profile into lines, a summary, a sentiment and extracted data; the small talk that pads
them to realistic lengths (`_pad`); and the scenario table (`_SCENARIOS`) whose weights set the traffic
mix of directions, outcomes and errors.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate
from typing import Any, NamedTuple

from voiceconsole.platforms.simulator.generator.catalog import (
    _DAYS,
    _FIRST,
    _LAST,
    _LATER_DAYS,
    _TIMES,
    _WRONG_NUMBER_TARGETS,
    _Profile,
)

_Line = tuple[str, str]  # (role "agent" | "user", text)


class _Script(NamedTuple):
    lines: list[_Line]
    summary: str
    sentiment: str | None  # "Positive" | "Neutral" | "Negative"; None = unknown
    data: dict[str, Any]  # custom extraction (Retell custom_analysis_data, Vapi structuredData, …)
    end: str | None = None  # forced end kind; None = ordinary hang-up


class _Ctx:
    """One conversation's cast and the names, days and times it mentions."""

    def __init__(self, rng: random.Random, profile: _Profile) -> None:
        self.rng = rng
        self.ind = profile.industry
        self.business = profile.business
        self.persona = profile.persona
        self.first = rng.choice(_FIRST)
        self.last = rng.choice(_LAST)
        self.name = f"{self.first} {self.last}"
        self.day, self.new_day = rng.sample(_DAYS, 2)
        self.later = rng.choice(_LATER_DAYS)
        self.time, self.time2, self.new_time = rng.sample(_TIMES, 3)

    def pick(self, options):
        return options[int(self.rng.random() * len(options))]

    def mood(self, p_positive: float) -> str:
        return "Positive" if self.rng.random() < p_positive else "Neutral"

    def upset(self, p_negative: float) -> str:
        return "Negative" if self.rng.random() < p_negative else "Neutral"

    def greeting(self) -> str:
        return self.pick(
            (
                f"Thanks for calling {self.business}, this is {self.persona}. How can I help you today?",
                f"Hi, you've reached {self.business}. This is {self.persona}, how can I help?",
                f"Good day, {self.business}, {self.persona} speaking. What can I do for you?",
            )
        )


def _s_book(c: _Ctx, ok: bool) -> _Script:
    item = c.pick(c.ind.bookables)
    lines = [
        ("agent", c.greeting()),
        (
            "user",
            c.pick(
                (
                    f"Hi, I'd like to book {item}.",
                    f"Hi there. I was hoping to get {item} on the calendar.",
                    f"Yeah, hi, can I set up {item}?",
                )
            ),
        ),
        ("agent", "Happy to help with that. Can I get your full name, please?"),
        ("user", f"Sure, it's {c.name}."),
        ("agent", f"Thanks, {c.first}. What day works best for you?"),
        ("user", f"Do you have anything on {c.day}?"),
        ("agent", "Let me check the schedule."),
    ]
    if ok:
        mood = c.mood(0.65)
        lines += [
            ("agent", f"I have {c.time} or {c.time2} open on {c.day}. Which would you prefer?"),
            ("user", f"{c.time} works for me."),
            (
                "agent",
                f"Great, you're all set for {c.day} at {c.time}. You'll get a text "
                "confirmation shortly. Is there anything else I can help with?",
            ),
            ("user", "No, that's everything. Thank you so much!" if mood == "Positive" else "No, that's it."),
            ("agent", f"You're welcome, {c.first}. Have a great day!"),
        ]
        summary = f"{c.name} called to book {item}. The agent booked {c.day} at {c.time} and sent a text confirmation."
    else:
        mood = c.upset(0.35)
        lines += [
            ("agent", f"I'm sorry, {c.day} is fully booked. The next opening I have is {c.later} at {c.time2}."),
            (
                "user",
                "That's way too far out. Honestly, that's really frustrating."
                if mood == "Negative"
                else "Hmm, that doesn't work for me. I'll check my calendar and call back.",
            ),
            (
                "agent",
                "I understand, and I'm sorry we couldn't find a time today. "
                "Call back anytime and we'll find something that works.",
            ),
        ]
        outcome = (
            "The caller was frustrated and did not book."
            if mood == "Negative"
            else "The caller will call back to book."
        )
        summary = (
            f"{c.name} wanted to book {item} on {c.day}, "
            f"but the only opening offered was {c.later} at {c.time2}. {outcome}"
        )
    data = {
        "intent": "book_appointment",
        "caller_name": c.name,
        "appointment_booked": ok,
        "appointment_time": f"{c.day} {c.time}" if ok else None,
    }
    return _Script(lines, summary, mood, data)


def _s_reschedule(c: _Ctx, ok: bool) -> _Script:
    appt = c.ind.appt
    lines = [
        ("agent", c.greeting()),
        ("user", f"Hi, I need to move my {appt} on {c.day}."),
        ("agent", f"No problem. What's the name on the {appt}?"),
        ("user", f"{c.name}."),
        (
            "agent",
            f"Thanks, {c.first}. I see you're booked for {c.day} at {c.time}. When would you like to move it to?",
        ),
        ("user", f"Is there anything on {c.new_day}?"),
    ]
    if ok:
        mood = c.mood(0.55)
        lines += [
            ("agent", f"Yes, I have {c.new_time} on {c.new_day}. Should I move you there?"),
            ("user", "Yes, please."),
            (
                "agent",
                f"Done. You're now booked for {c.new_day} at {c.new_time}, "
                f"and your {c.day} time has been released. Anything else?",
            ),
            ("user", "Perfect, thanks for making that so easy!" if mood == "Positive" else "No, that's all. Thanks."),
            ("agent", "You're welcome. See you then!"),
        ]
        summary = f"{c.name} rescheduled their {appt} from {c.day} at {c.time} to {c.new_day} at {c.new_time}."
    else:
        mood = c.upset(0.3)
        annoyed = " This is pretty annoying." if mood == "Negative" else ""
        lines += [
            ("agent", f"Unfortunately {c.new_day} is full. The closest I can do is {c.later} at {c.time2}."),
            ("user", f"No, that doesn't work either. I guess I'll keep the original one for now.{annoyed}"),
            (
                "agent",
                f"Okay, I've left your {appt} on {c.day} at {c.time}. "
                f"If anything opens up on {c.new_day}, we'll text you.",
            ),
        ]
        summary = (
            f"{c.name} tried to move their {appt} from {c.day} to {c.new_day}, but nothing was available; "
            f"the original {c.day} {c.time} {appt} was kept."
        )
    data = {
        "intent": "reschedule_appointment",
        "caller_name": c.name,
        "appointment_booked": ok,
        "appointment_time": f"{c.new_day} {c.new_time}" if ok else f"{c.day} {c.time}",
    }
    return _Script(lines, summary, mood, data)


def _s_cancel(c: _Ctx, ok: bool) -> _Script:
    appt = c.ind.appt
    reason = c.pick(
        (
            "Something came up at work.",
            "I'm going to be out of town.",
            "I'm feeling sick.",
            "We decided to go a different direction.",
        )
    )
    lines = [
        ("agent", c.greeting()),
        ("user", f"Hi, I need to cancel my {appt} on {c.day}."),
        ("agent", f"I can help with that. What's the name on the {appt}?"),
        ("user", f"It's {c.name}."),
        ("agent", f"Thanks. I see your {appt} on {c.day} at {c.time}. Would you like to reschedule instead?"),
        ("user", f"No, just cancel it, please. {reason}"),
    ]
    if ok:
        mood = c.mood(0.3)
        lines += [
            (
                "agent",
                f"No problem, your {appt} on {c.day} is cancelled, and you'll get "
                "a confirmation text. Is there anything else I can help with?",
            ),
            ("user", "No, that's it. Thanks."),
            ("agent", "Take care, and call us whenever you're ready to rebook."),
        ]
        summary = f"{c.name} cancelled their {appt} on {c.day} at {c.time} and did not want to reschedule."
    else:
        mood = c.upset(0.6)
        lines += [
            (
                "agent",
                "Since it's within 24 hours, I can't cancel it here without a $50 "
                f"late-cancellation fee. I'll have {c.ind.staff} call you back about it.",
            ),
            (
                "user",
                "Seriously? Nobody told me about a fee." if mood == "Negative" else "Okay, please have them call me.",
            ),
            ("agent", "I'm sorry for the inconvenience. Someone will call you today."),
        ]
        summary = (
            f"{c.name} asked to cancel their {appt} on {c.day}; it was inside the 24-hour window, "
            f"so it was not cancelled and {c.ind.staff} will call back about the late fee."
        )
    data = {
        "intent": "cancel_appointment",
        "caller_name": c.name,
        "appointment_booked": False,
        "appointment_time": None,
    }
    return _Script(lines, summary, mood, data)


def _s_pricing(c: _Ctx, ok: bool) -> _Script:
    subject, answer = c.pick(c.ind.prices)
    question, reply, topic = c.pick(c.ind.followups)
    lines = [
        ("agent", c.greeting()),
        ("user", c.pick((f"Hi, how much is {subject}?", f"Hi, I had a question about pricing for {subject}."))),
        ("agent", f"Sure! For {subject}, {answer}."),
        ("user", question),
        ("agent", reply),
    ]
    if ok:
        mood = c.mood(0.45)
        lines += [
            (
                "user",
                "Okay, that sounds reasonable. I'll go ahead and book online."
                if mood == "Neutral"
                else "Great, that's really helpful. Thank you!",
            ),
            ("agent", "Happy to help! You can book online or call us anytime. Have a great day."),
        ]
        summary = (
            f"The caller asked about pricing for {subject} and about {topic}. "
            "The agent answered both questions and the caller was satisfied."
        )
    else:
        mood = c.upset(0.4)
        lines += [
            (
                "user",
                "Wow, that's a lot more than I wanted to pay. Never mind."
                if mood == "Negative"
                else "Hmm, that's more than I expected. I'll think about it.",
            ),
            ("agent", "I understand. If you have any other questions, feel free to call us back."),
        ]
        summary = (
            f"The caller asked about pricing for {subject} and about {topic}, "
            "found the price higher than expected, and did not book."
        )
    return _Script(lines, summary, mood, {"intent": "pricing_question", "appointment_booked": False})


def _s_support(c: _Ctx, ok: bool) -> _Script:
    topic, opening, detail, fix = c.pick(c.ind.support)
    lines = [
        ("agent", c.greeting()),
        ("user", opening),
        ("agent", "I can help with that. Can I get your name so I can pull up your account?"),
        ("user", f"{c.name}."),
        ("agent", f"Thanks, {c.first}. Let me pull that up."),
        ("agent", "Okay, I have your account here. Can you tell me a bit more about what's going on?"),
        ("user", detail),
    ]
    if ok:
        mood = c.mood(0.5)
        lines += [
            ("agent", fix),
            ("user", "Okay, great. Thank you for sorting that out!" if mood == "Positive" else "Okay, thanks."),
            ("agent", "Of course. Is there anything else I can help with?"),
            ("user", "No, that's all."),
            ("agent", f"Thanks for calling {c.business}. Have a good day!"),
        ]
        summary = (
            f"{c.name} called about {topic}. "
            "The agent resolved the issue and explained the next steps; the caller was satisfied."
        )
    else:
        mood = c.upset(0.6)
        lines += [
            (
                "agent",
                "I'm not able to resolve that directly, but I've opened a ticket "
                f"and {c.ind.staff} will call you back within one business day.",
            ),
            (
                "user",
                "I've already waited long enough. This is really frustrating."
                if mood == "Negative"
                else "Okay, I'll wait for the call then.",
            ),
            ("agent", "I understand, and I'm sorry for the trouble. I've marked it as a priority."),
        ]
        tail = "; the caller was frustrated." if mood == "Negative" else "."
        summary = (
            f"{c.name} called about {topic}. The agent could not resolve it on the call "
            f"and opened a ticket for {c.ind.staff} to call back{tail}"
        )
    data = {"intent": "support", "caller_name": c.name, "escalation_requested": not ok}
    return _Script(lines, summary, mood, data)


def _s_angry(c: _Ctx, ok: bool) -> _Script:
    topic, opening = c.pick(c.ind.complaints)
    staff = c.ind.staff
    lines = [
        ("agent", c.greeting()),
        ("user", opening),
        ("agent", "I'm really sorry to hear that. Can I get your name so I can look into it?"),
        ("user", f"It's {c.name}. And I want to talk to a real person, not a robot."),
        (
            "agent",
            f"I understand, {c.first}. I've found your account and I can see what happened. "
            f"I can't issue refunds myself, but I can get this to {staff} right away.",
        ),
        ("user", "That's what I was told last time, and nobody ever called me back."),
    ]
    end = None
    if ok:
        mood = "Neutral"
        lines += [
            (
                "agent",
                f"You're right, and that shouldn't have happened. I've confirmed it with {staff}, "
                "and a full refund has been approved. You'll see it in three to five business days.",
            ),
            ("user", "Okay. Well, thank you for actually fixing it."),
            ("agent", "Of course, and I'm sorry again for the trouble."),
        ]
        summary = (
            f"{c.name} called upset about {topic} and demanded a refund. "
            "The agent confirmed the problem and a full refund was approved; the caller calmed down."
        )
    elif c.rng.random() < 0.5:
        mood, end = "Negative", "transfer"
        lines += [
            ("agent", f"I completely understand. I'm transferring you to {staff} now, so please stay on the line."),
            ("user", "Fine."),
        ]
        summary = (
            f"{c.name} called angry about {topic} and asked for a manager. "
            f"The agent apologized and transferred the call to {staff}."
        )
    else:
        mood = "Negative"
        lines += [
            (
                "agent",
                "I completely understand your frustration. I've flagged this "
                f"as urgent, and {staff} will call you today before 5 PM.",
            ),
            ("user", "If I don't hear back today, I'm disputing the charge and leaving a review."),
            ("agent", "Understood. I'm very sorry again, and I'll make sure they call you."),
        ]
        summary = (
            f"{c.name} called angry about {topic}, demanded a refund or a manager, and threatened a dispute. "
            f"The agent escalated it to {staff} for a same-day callback."
        )
    data = {"intent": "complaint", "caller_name": c.name, "escalation_requested": not ok}
    return _Script(lines, summary, mood, data, end)


def _s_wrong_number(c: _Ctx, ok: bool) -> _Script:
    target = c.pick(_WRONG_NUMBER_TARGETS)
    lines = [
        ("agent", c.greeting()),
        ("user", f"Oh, sorry, is this {target}?"),
        ("agent", f"No, this is {c.business}. Is there anything I can help you with?"),
        ("user", "No, I must have dialed the wrong number. Sorry about that."),
        ("agent", "No worries at all. Have a good day!"),
    ]
    summary = f"The caller was trying to reach {target} and had dialed the wrong number; no action was needed."
    return _Script(lines, summary, "Neutral", {"intent": "wrong_number"})


def _s_hangup_in(c: _Ctx, ok: bool) -> _Script:
    lines = [("agent", c.greeting())]
    if c.rng.random() < 0.5:
        lines.append(("user", c.pick(("Oh, uh, sorry.", "Hello? Hello?", "Wait, is this"))))
    summary = "The caller hung up a few seconds into the call without stating a reason."
    return _Script(lines, summary, None, {"intent": "unknown"}, "user_hangup")


def _s_hangup_out(c: _Ctx, ok: bool) -> _Script:
    lines = [
        ("user", "Hello?"),
        ("agent", f"Hi, this is {c.persona} calling from {c.business}. Am I speaking with {c.first}?"),
        ("user", "Not interested."),
    ]
    summary = f"The agent called {c.name}, who said they were not interested and hung up immediately."
    data = {"intent": "lead_qualification", "lead_qualified": False}
    return _Script(lines, summary, "Neutral", data, "user_hangup")


def _s_voicemail(c: _Ctx, ok: bool) -> _Script:
    topic = c.pick((c.ind.lead_topic, f"your {c.ind.appt} on {c.day}"))
    lines = [
        (
            "user",
            f"Hi, you've reached {c.first}. I can't take your call right now, "
            "so please leave a message after the tone.",
        ),
        (
            "agent",
            f"Hi {c.first}, this is {c.persona} calling from {c.business} about {topic}. "
            "Please give us a call back when you get a chance. Thanks, and have a great day!",
        ),
    ]
    summary = f"The call reached {c.first}'s voicemail; the agent left a message asking them to call back."
    return _Script(lines, summary, None, {"intent": "voicemail"}, "voicemail")


def _s_no_answer(c: _Ctx, ok: bool) -> _Script:
    busy = c.rng.random() < 0.2
    summary = "The line was busy; the call did not connect." if busy else "The call was not answered."
    return _Script([], summary, None, {}, "busy" if busy else "no_answer")


def _s_lead(c: _Ctx, ok: bool) -> _Script:
    ind = c.ind
    lines = [
        ("user", "Hello?"),
        ("agent", f"Hi, is this {c.first}?"),
        ("user", "Yes, who's calling?"),
        (
            "agent",
            f"Hi {c.first}, this is {c.persona}, a virtual assistant with {c.business}. "
            f"I'm following up on {ind.lead_topic}. Do you have a couple of minutes?",
        ),
        ("user", "Sure, go ahead."),
    ]
    questions = c.rng.sample(ind.qualify, min(len(ind.qualify), c.rng.randint(2, 4)))
    for question, answers in questions:
        lines += [("agent", question), ("user", c.pick(answers))]
    lines.append(
        (
            "agent",
            f"Thanks, that's really helpful. "
            f"Would you like me to book a time with {ind.staff} to go over your options?",
        )
    )
    if ok:
        mood = c.mood(0.6)
        lines += [
            ("user", f"Sure. How about {c.day}?"),
            ("agent", f"I have {c.time} on {c.day}. Does that work?"),
            ("user", "Yes, that works."),
            (
                "agent",
                f"Perfect, you're booked for {c.day} at {c.time}. You'll get a confirmation text. Thanks, {c.first}!",
            ),
            ("user", "Great, thanks so much. Bye!" if mood == "Positive" else "Okay, bye."),
        ]
        summary = (
            f"Follow-up call with {c.name} about {ind.lead_label}. "
            f"The lead answered {len(questions)} qualifying questions, qualified, "
            f"and booked a time with {ind.staff} on {c.day} at {c.time}."
        )
    else:
        mood = c.upset(0.3)
        negative = mood == "Negative"
        lines += [
            (
                "user",
                "Please take me off your list. I'm not interested."
                if negative
                else "Actually, I'm just looking right now. I'm not ready to commit to anything.",
            ),
            (
                "agent",
                "Understood, I've removed you from our call list. Sorry for the interruption."
                if negative
                else "No problem at all. I'll text you our information, and you can reach out whenever you're ready.",
            ),
        ]
        outcome = (
            "asked to be removed from the call list."
            if negative
            else "was not ready to book; information was sent by text."
        )
        summary = (
            f"Follow-up call with {c.name} about {ind.lead_label}. "
            f"The lead answered {len(questions)} qualifying questions but {outcome}"
        )
    data = {
        "intent": "lead_qualification",
        "caller_name": c.name,
        "lead_qualified": ok,
        "appointment_booked": ok,
        "appointment_time": f"{c.day} {c.time}" if ok else None,
    }
    return _Script(lines, summary, mood, data)


def _s_confirmation(c: _Ctx, ok: bool) -> _Script:
    appt = c.ind.appt
    lines = [
        ("user", "Hello?"),
        ("agent", f"Hi, is this {c.first}?"),
        ("user", "Yes, speaking."),
        (
            "agent",
            f"Hi {c.first}, this is {c.persona} from {c.business}, calling to confirm "
            f"your {appt} on {c.day} at {c.time}. Will you be able to make it?",
        ),
    ]
    if ok:
        mood = c.mood(0.5)
        lines += [
            ("user", "Yes, I'll be there."),
            (
                "agent",
                "Great, we'll see you then. Please arrive about ten minutes early. Anything else I can help with?",
            ),
            ("user", "Nope, that's it. Thanks for the reminder!" if mood == "Positive" else "No, thanks."),
            ("agent", "Have a great day!"),
        ]
        summary = f"Reminder call to {c.name}: they confirmed their {appt} on {c.day} at {c.time}."
    else:
        mood = c.upset(0.2)
        lines += [
            ("user", "Oh, actually, I can't make it anymore."),
            ("agent", "No problem. Would you like to reschedule?"),
            (
                "user",
                "No. Honestly, I had a bad experience last time and I'm going somewhere else."
                if mood == "Negative"
                else "Not right now. I'll call back when I know my schedule.",
            ),
            ("agent", f"Okay, I've cancelled your {appt} on {c.day}. Give us a call whenever you're ready."),
        ]
        summary = (
            f"Reminder call to {c.name}: they can no longer make their {appt} on {c.day} at {c.time}; "
            "it was cancelled and not rescheduled."
        )
    data = {
        "intent": "appointment_confirmation",
        "caller_name": c.name,
        "appointment_booked": ok,
        "appointment_time": f"{c.day} {c.time}" if ok else None,
    }
    return _Script(lines, summary, mood, data)


def _s_error_in(c: _Ctx, ok: bool) -> _Script:
    return _cut_by_error(
        c,
        c.pick(
            (
                (_s_book, "trying to book an appointment"),
                (_s_pricing, "asking about pricing"),
                (_s_support, "describing a problem"),
            )
        ),
    )


def _s_error_out(c: _Ctx, ok: bool) -> _Script:
    return _cut_by_error(c, (_s_lead, "answering qualifying questions"))


def _cut_by_error(c: _Ctx, base: tuple[Callable[[_Ctx, bool], _Script], str]) -> _Script:
    script, activity = base
    lines = script(c, True).lines
    lines = lines[: c.rng.randint(2, min(6, len(lines) - 1))]
    summary = (
        f"The call ended abruptly because of a technical error while the caller was {activity}; "
        "the request was not completed."
    )
    end = c.pick(("error_llm", "error_llm", "error_asr", "error_tts"))
    return _Script(lines, summary, c.pick(("Neutral", None)), {"intent": "unknown"}, end)


# Small talk that pads conversations to realistic lengths. A sequence goes in front of a line spoken
# by its first role and ends with the other role, so speakers keep alternating around it.
_Pad = tuple[_Line, ...]
_PADS_AGENT_FIRST: tuple[_Pad, ...] = (
    (("agent", "Can I get a good callback number in case we get disconnected?"), ("user", "Sure, it's {digits}.")),
    (("agent", "And how do you spell your last name?"), ("user", "{spelled}.")),
    (("agent", "Have you been in touch with us before?"), ("user", "{seen}")),
    (("agent", "Would you like a text reminder the day before?"), ("user", "Yes, please, that would be great.")),
    (
        ("agent", "What's the best email address for you?"),
        ("user", "It's {email}."),
        ("agent", "Thanks. Just to confirm, that's {email}?"),
        ("user", "Yes, that's right."),
    ),
    (("agent", "Is the number you're calling from the best one to reach you?"), ("user", "Yes, that's my cell.")),
)
_PADS_USER_FIRST: tuple[_Pad, ...] = (
    (("user", "What are your hours, by the way?"), ("agent", "We're open {hours}.")),
    (
        ("user", "Is this a real person?"),
        (
            "agent",
            "I'm a virtual assistant for {business}, but I can take care of "
            "most things, and I can connect you with the team if you need.",
        ),
    ),
    (("user", "Hang on one second, sorry."), ("agent", "Of course, take your time.")),
    (("user", "Sorry, it's a bit loud where I am. Can you hear me okay?"), ("agent", "Yes, I can hear you fine.")),
    (
        ("user", "Can you check that my details are up to date while you're at it?"),
        ("agent", "Sure, one moment while I look."),
        ("agent", "Okay, everything on file looks current."),
    ),
)
_PADS_LONG: tuple[_Pad, ...] = (
    (
        (
            "user",
            "So, just to give you the full picture, this started a couple of weeks ago and I've already spent a "
            "lot of time on it. I called once before and was told someone would follow up, but nobody did, and now "
            "I'm taking time out of my workday to deal with it again, which is really not what I need right now.",
        ),
        (
            "agent",
            "Thank you for explaining all of that, it really helps. "
            "I'm sorry you've had to spend so much time on this.",
        ),
    ),
    (
        (
            "user",
            "And I want to be clear, I've been a customer for years and I've always recommended you to friends and "
            "family, so this has been really disappointing, and I just want it handled properly this time without "
            "having to call back again.",
        ),
        (
            "agent",
            "I completely understand, and I appreciate you sticking with us. Let me make sure it's handled properly.",
        ),
    ),
    (
        ("user", "Could you look up what was done last time? I don't have the paperwork in front of me."),
        ("agent", "Of course. Give me a moment to pull up the notes."),
        ("agent", "Okay, I have the notes from last time here, and I can see everything that was done."),
    ),
)
_PADS_ANGRY: tuple[_Pad, ...] = (
    (
        ("user", "This is the third time I've called about this."),
        ("agent", "I'm really sorry. I can see your earlier calls, and I'll make sure this one gets resolved."),
    ),
    (
        ("user", "Do you have any idea how much time I've wasted on this?"),
        ("agent", "I understand, and I'm sorry. That shouldn't have happened."),
    ),
    (
        ("user", "Honestly, I'm about to leave a one-star review."),
        ("agent", "I understand why you'd feel that way, and I want to make this right."),
    ),
)


@dataclass(frozen=True, slots=True)
class _Scenario:
    script: Callable[[_Ctx, bool], _Script]
    direction: str  # inbound | outbound
    weight: float
    p_success: float
    turns: tuple[int, int] | None  # target turn range when padded with small talk; None = never padded
    webable: bool = False  # may also arrive as a web call (website widget)
    hold: tuple[float, float] = (1.5, 8.0)  # seconds the agent takes to look something up
    talkative: bool = False  # callers explain at length (support, complaints)


# Weights give ~70 % inbound, ~58 % successful, ~2.5 % errors.
_SCENARIOS: tuple[_Scenario, ...] = (
    _Scenario(_s_book, "inbound", 22, 0.9, (8, 24), webable=True, hold=(1.5, 6.0)),
    _Scenario(_s_reschedule, "inbound", 9, 0.9, (8, 18)),
    _Scenario(_s_cancel, "inbound", 5, 0.85, (6, 14)),
    _Scenario(_s_pricing, "inbound", 11, 0.7, (4, 14), webable=True),
    _Scenario(_s_support, "inbound", 9, 0.55, (12, 30), webable=True, hold=(3.0, 40.0), talkative=True),
    _Scenario(_s_angry, "inbound", 4, 0.1, (12, 30), hold=(3.0, 20.0), talkative=True),
    _Scenario(_s_wrong_number, "inbound", 3, 0.0, None),
    _Scenario(_s_hangup_in, "inbound", 3.5, 0.0, None),
    _Scenario(_s_error_in, "inbound", 1.5, 0.0, None),
    _Scenario(_s_lead, "outbound", 11, 0.55, (10, 30)),
    _Scenario(_s_confirmation, "outbound", 7, 0.85, (5, 12)),
    _Scenario(_s_voicemail, "outbound", 5, 0.0, None),
    _Scenario(_s_no_answer, "outbound", 5, 0.0, None),
    _Scenario(_s_hangup_out, "outbound", 1.5, 0.0, None),
    _Scenario(_s_error_out, "outbound", 1, 0.0, None),
)
_SCENARIO_CUM = list(accumulate(s.weight for s in _SCENARIOS))


def _pick_scenario(rng: random.Random, directions: tuple[str, ...] = ("inbound", "outbound")) -> int:
    while True:
        si = bisect.bisect(_SCENARIO_CUM, rng.random() * _SCENARIO_CUM[-1])
        if _SCENARIOS[si].direction in directions:
            return si


def _pad(c: _Ctx, lines: list[_Line], target: int, scenario: _Scenario) -> list[_Line]:
    fills = {
        "digits": f"{c.rng.randrange(201, 989)}-555-{c.rng.randrange(100, 199):04d}",
        "spelled": "-".join(c.last.upper()),
        "seen": c.pick(("Yes, a couple of times.", "No, this is my first time.")),
        "email": f"{c.first.lower()}.{c.last.lower()}@gmail.com",
        "hours": c.ind.hours,
        "business": c.business,
    }
    user_first = list(_PADS_USER_FIRST)
    if scenario.talkative:
        user_first += _PADS_LONG + (_PADS_ANGRY if scenario.script is _s_angry else ())
    pools = {"agent": list(_PADS_AGENT_FIRST), "user": user_first}
    # Pads go between whole blocks (a script line or an earlier pad), never inside one, and never
    # into the greeting or the closing exchange.
    blocks: list[list[_Line]] = [[line] for line in lines]
    size = len(lines)
    for _ in range(64):  # bounded: gives up when nothing fits
        if size + 2 > target:
            break
        at = c.rng.randrange(3, len(blocks) - 2)
        role = blocks[at][0][0]
        pool = pools[role]
        if blocks[at - 1][-1][0] == role or not pool:
            continue
        pad = pool[int(c.rng.random() * len(pool))]
        if size + len(pad) <= target:
            pool.remove(pad)
            blocks.insert(at, [(r, text.format(**fills)) for r, text in pad])
            size += len(pad)
    return [line for block in blocks for line in block]

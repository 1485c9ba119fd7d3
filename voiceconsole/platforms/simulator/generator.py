"""Deterministic generator of realistic voice-agency traffic, in each platform's own JSON shape.

Field names and units follow /work/shared/platform-apis.md: Retell get-call / agent objects, Vapi Call /
Assistant objects, ElevenLabs conversation / agent objects (plus the ElevenLabs list summary).

How it stays fast: a conversation (script, word timestamps, latencies, analysis) is built once per
"variant" and reused by many calls, so a call costs little more than its top-level dict. Calls from
`generate_calls` therefore share their nested transcript structures: treat them as read-only.
`generate_call` builds everything fresh, so its result may be changed freely.
"""

from __future__ import annotations

import bisect
import random
import re
import uuid
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from itertools import accumulate
from typing import Any, NamedTuple

PLATFORMS = ("retell", "vapi", "elevenlabs")
_VARIANTS_PER_SCENARIO = 48  # distinct conversations per (agent, scenario) in a bulk run
_LOCAL_UTC_OFFSET_H = -5  # the demo businesses sit in US Eastern time (DST ignored on purpose)
_MAX_CALL_S = 480.0


# --------------------------------------------------------------------------------------------------
# Clients and industries
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DemoClient:
    name: str
    industry: str


DEMO_CLIENTS: list[DemoClient] = [
    DemoClient("Bright Smile Dental", "Dental clinic"),
    DemoClient("Summit Realty Group", "Real-estate brokerage"),
    DemoClient("Precision Auto Care", "Auto repair shop"),
    DemoClient("Comfort Zone HVAC", "Heating & air conditioning (HVAC)"),
]


@dataclass(frozen=True, slots=True)
class _Industry:
    desc: str  # used in prompts: "You are the receptionist for X, <desc>."
    appt: str  # what callers book
    staff: str  # the human who takes escalations
    hours: str
    bookables: tuple[str, ...]
    prices: tuple[tuple[str, str], ...]  # (subject, answer clause)
    followups: tuple[tuple[str, str, str], ...]  # (caller question, answer, topic for summaries)
    support: tuple[tuple[str, str, str, str], ...]  # (topic, opening, detail, fix)
    complaints: tuple[tuple[str, str], ...]  # (topic, opening)
    lead_topic: str  # spoken by the agent
    lead_label: str  # used in summaries
    qualify: tuple[tuple[str, tuple[str, ...]], ...]  # (question, possible answers)


_INDUSTRIES: dict[str, _Industry] = {
    "dental": _Industry(
        desc="a family dental clinic",
        appt="appointment",
        staff="the office manager",
        hours="Monday to Friday 8 AM to 6 PM, and Saturday 9 AM to 1 PM",
        bookables=(
            "a cleaning and exam",
            "a whitening appointment",
            "an emergency visit for a chipped tooth",
            "a consultation about Invisalign",
            "a filling appointment",
        ),
        prices=(
            ("a cleaning and exam", "it's $129 without insurance, and most PPO plans cover it in full"),
            ("teeth whitening", "it's $349 for the in-office treatment"),
            ("a filling", "it's between $150 and $250, depending on the size"),
            ("Invisalign", "it usually runs between $3,500 and $5,500, and we offer payment plans"),
            ("an emergency exam", "it's $95, including x-rays"),
        ),
        followups=(
            ("Do you take Delta Dental?", "Yes, we're in network with Delta Dental, Cigna, Aetna and most other PPO plans.", "insurance"),
            ("Do you have payment plans?", "We do. We offer interest-free plans through CareCredit for treatment over $500.", "payment plans"),
            ("Is there a new patient special?", "Yes, new patients get the exam and x-rays for $79 when paying without insurance.", "the new patient special"),
        ),
        support=(
            (
                "sensitivity after a filling",
                "Hi, I had a filling done last week and the tooth is still really sensitive to cold.",
                "It's the lower left side, and it gets worse whenever I drink anything cold.",
                "Some sensitivity for a couple of weeks is normal, but I've asked the doctor's assistant to call you this afternoon, and I've held a short follow-up slot for you on Thursday.",
            ),
            (
                "an insurance billing question",
                "Hi, I got a bill for my cleaning, but I thought my insurance covered it.",
                "It says I owe $129, and my plan is supposed to cover two cleanings a year.",
                "I can see the claim was denied because of a coding error on our side. I've sent it back to billing to resubmit, so you don't need to pay that statement.",
            ),
            (
                "a records transfer",
                "Hi, I need my x-rays sent over to an oral surgeon.",
                "It's for Dr. Alvarez at Westside Oral Surgery, and they need them before Friday.",
                "I've put in the request, and our records team will email the x-rays to Westside Oral Surgery by the end of the day tomorrow.",
            ),
        ),
        complaints=(
            ("being charged twice for a cleaning", "Yeah, I was charged twice for my cleaning last month and nobody has fixed it. I want my money back today."),
            ("a long wait followed by a cancelled appointment", "I waited forty minutes in your lobby and then got told the dentist couldn't see me. I want to talk to a manager."),
        ),
        lead_topic="the new patient special you asked about on our website",
        lead_label="a new patient special inquiry",
        qualify=(
            ("Are you looking for a routine cleaning, or is something bothering you?", ("Just a routine cleaning, I'm overdue.", "One of my back teeth has been aching.")),
            ("Do you have dental insurance?", ("Yes, I have Delta Dental through work.", "No, I'd be paying out of pocket.")),
            ("Would that be just for you, or for other family members too?", ("Just me for now.", "Me and my two kids.")),
            ("Do mornings or afternoons work better for you?", ("Mornings are better.", "Late afternoons, after work.")),
        ),
    ),
    "real_estate": _Industry(
        desc="a residential real-estate brokerage",
        appt="showing",
        staff="the listing agent",
        hours="seven days a week from 9 AM to 7 PM",
        bookables=(
            "a showing for the house on Maple Ridge Drive",
            "a tour of the condo on 5th Street",
            "a listing consultation",
            "a showing for the townhouse on Cedar Lane",
        ),
        prices=(
            ("your listing commission", "it's 2.5 percent, and that includes professional photos and a 3D tour"),
            ("a home valuation", "it's free, and an agent prepares a market analysis within 48 hours"),
            ("the house on Maple Ridge Drive", "the asking price is $489,000, for four bedrooms and a finished basement"),
            ("property management", "it's 8 percent of the monthly rent, with no setup fee"),
        ),
        followups=(
            ("Is the price negotiable?", "The sellers will review all reasonable offers, and the listing agent can walk you through recent comparable sales.", "negotiating the price"),
            ("Are there HOA fees?", "Yes, the HOA fee is $210 a month and covers landscaping and snow removal.", "HOA fees"),
            ("Do I need to be pre-approved to see a home?", "It isn't required for a showing, but we can connect you with a lender who can pre-approve you within a day.", "pre-approval"),
        ),
        support=(
            (
                "an agent who has not called back about an offer",
                "Hi, I submitted an offer on Tuesday and haven't heard anything from my agent since.",
                "It's for the house on Birch Street, and the seller's deadline is tomorrow.",
                "I've messaged your agent and the team lead and marked it urgent, and your agent will call you within the hour with an update on the offer.",
            ),
            (
                "listing photos that will not load",
                "Hi, the photos on the Cedar Lane listing won't load on your website.",
                "I've tried two browsers and my phone, and it just shows a gray box.",
                "Thanks for flagging that. I've reported it to our web team, and I've emailed you the full photo set in the meantime.",
            ),
            (
                "a lockbox code that did not work",
                "Hi, I'm at a showing and the lockbox code you gave me isn't working.",
                "It's the house on Oak Street, and my clients are standing here waiting.",
                "I'm sorry about that. I've reached the listing agent, and the correct code has just been texted to you.",
            ),
        ),
        complaints=(
            ("an agent who missed a scheduled showing", "I took time off work for a showing and your agent never showed up. I want to speak to whoever is in charge."),
            ("a commission higher than agreed", "The closing statement shows a higher commission than we agreed to. I want that difference refunded."),
        ),
        lead_topic="the home valuation you requested on our website",
        lead_label="a home valuation request",
        qualify=(
            ("Are you thinking about buying, selling, or both?", ("Selling, and then buying something smaller.", "Just buying for now.")),
            ("What's your timeline?", ("Probably in the next three months.", "Not until next spring.")),
            ("Have you spoken with a lender or been pre-approved?", ("Yes, we're pre-approved up to $550,000.", "Not yet.")),
            ("Which neighborhoods are you most interested in?", ("Somewhere in the Lakeview school district.", "Downtown, or close to it.")),
        ),
    ),
    "auto_repair": _Industry(
        desc="an independent auto repair shop",
        appt="service appointment",
        staff="the service manager",
        hours="Monday to Friday 7:30 AM to 6 PM, and Saturday 8 AM to 2 PM",
        bookables=(
            "an oil change",
            "a brake inspection",
            "a check engine light diagnostic",
            "a tire rotation and alignment",
            "a pre-purchase inspection",
        ),
        prices=(
            ("an oil change", "it's $59.99 for full synthetic, including a tire rotation"),
            ("a front brake job", "it's $189 per axle, parts and labor included"),
            ("a check engine light diagnostic", "it's $99, and that's credited toward the repair if you go ahead"),
            ("an alignment", "it's $119 for a four-wheel alignment"),
        ),
        followups=(
            ("Do you use OEM parts?", "We use OEM or OEM-equivalent parts, and every repair comes with a 24-month, 24,000-mile warranty.", "parts and warranty"),
            ("How long will it take?", "Most oil changes take about 45 minutes, and brake jobs are usually done the same day.", "turnaround time"),
            ("Do you have loaner cars?", "We have a free shuttle within five miles, and loaner cars for bigger repairs.", "loaner cars"),
        ),
        support=(
            (
                "a check engine light that came back after a repair",
                "Hi, you replaced a sensor on my car last week and the check engine light is back on.",
                "It's a 2017 Honda Accord, and the light came on again this morning on the highway.",
                "That repair is under warranty, so there's no charge. I've booked you in for a re-check tomorrow at 8 AM, and the service manager will look at it personally.",
            ),
            (
                "squeaking brakes after a brake job",
                "Hi, I had my brakes done on Saturday and now they squeak every time I stop.",
                "It's a 2019 Toyota RAV4, and it's pretty loud at low speed.",
                "New pads sometimes need a small adjustment. It's covered, and I've booked a quick inspection for you tomorrow morning.",
            ),
            (
                "an unexpected fee on an invoice",
                "Hi, my invoice has a shop supplies fee that nobody told me about.",
                "It's $35 on top of the quote I got.",
                "I've checked, and that fee should have been on your quote. I've removed it, and a $35 refund is on its way to your card.",
            ),
        ),
        complaints=(
            ("a repair that did not fix the problem", "I paid you six hundred dollars and my car is making the exact same noise. I want a refund, not another appointment."),
            ("a car kept two days longer than promised", "You had my car for three days when you said one. I had to rent a car. I want a manager."),
        ),
        lead_topic="the brake service quote you requested online",
        lead_label="a brake service quote request",
        qualify=(
            ("What's the year, make and model of your vehicle?", ("It's a 2016 Ford F-150.", "A 2020 Subaru Outback.")),
            ("What's going on with it right now?", ("The brakes grind when I stop.", "It's pulling to the left a bit.")),
            ("Roughly how many miles are on it?", ("About 92,000.", "Around 48,000.")),
            ("Would you need a shuttle ride while we work on it?", ("Yes, that would help.", "No, I can wait there.")),
        ),
    ),
    "hvac": _Industry(
        desc="a heating and air-conditioning company",
        appt="service visit",
        staff="the dispatch supervisor",
        hours="Monday to Saturday 7 AM to 7 PM, with 24/7 emergency service",
        bookables=(
            "an AC tune-up",
            "a furnace inspection",
            "a repair visit because the AC is blowing warm air",
            "a quote for a new heat pump",
            "a duct cleaning",
        ),
        prices=(
            ("an AC tune-up", "it's $89, or free with our Comfort Club plan"),
            ("a diagnostic visit", "it's $79, and it's waived if you go ahead with the repair"),
            ("a new heat pump", "it usually runs between $7,500 and $12,000 installed, depending on the size of the home"),
            ("duct cleaning", "it's $399 for most homes up to 2,500 square feet"),
        ),
        followups=(
            ("Do you offer financing?", "Yes, we offer zero percent financing for 18 months on approved credit.", "financing"),
            ("Is there a charge for weekends?", "Saturday visits are the same price, and after-hours emergency calls have a $75 surcharge.", "weekend rates"),
            ("What's included in the Comfort Club?", "Two tune-ups a year, priority scheduling and 15 percent off repairs, for $14.99 a month.", "the Comfort Club plan"),
        ),
        support=(
            (
                "an AC that stopped cooling again after a repair",
                "Hi, your technician fixed my AC on Monday, but it's blowing warm air again.",
                "The thermostat is set to 70 and it's 81 degrees in the house.",
                "That's covered under our repair warranty. I've scheduled a technician for tomorrow between 8 and 10 AM at no charge.",
            ),
            (
                "a thermostat that is not responding",
                "Hi, the new thermostat you installed isn't responding at all.",
                "The screen is blank and the heat won't come on.",
                "It sounds like the thermostat lost power. I've booked a technician for this afternoon, and there's no charge since it's under warranty.",
            ),
            (
                "a missed maintenance visit",
                "Hi, I'm on your Comfort Club plan and nobody has contacted me about my spring tune-up.",
                "I signed up in January and paid for the whole year.",
                "You're right, your spring visit was never scheduled. I've booked it for next week and added a free filter replacement for the trouble.",
            ),
        ),
        complaints=(
            ("a technician who never showed up", "I took the whole day off work and your technician never showed up. Nobody even called. I want a manager."),
            ("an overcharge on a repair", "You charged me four hundred dollars to replace a capacitor. That's a rip-off and I want a refund."),
        ),
        lead_topic="the free estimate you requested for a new AC system",
        lead_label="a new AC system estimate request",
        qualify=(
            ("How old is your current system?", ("It's about fifteen years old.", "Maybe eight or nine years.")),
            ("What's the approximate size of your home?", ("Around 2,000 square feet.", "About 1,400 square feet.")),
            ("Are you having any problems with it right now?", ("It can't keep up in the afternoons.", "No, it works. I just want something more efficient.")),
            ("Do you own the home?", ("Yes, we own it.", "Yes, we bought it two years ago.")),
        ),
    ),
    "general": _Industry(
        desc="a local service business",
        appt="appointment",
        staff="the office manager",
        hours="Monday to Friday 9 AM to 5 PM",
        bookables=("a consultation", "an appointment", "a follow-up appointment"),
        prices=(
            ("a consultation", "it's $75, and that's credited toward any service you book"),
            ("a standard appointment", "it's $120 for the first hour"),
        ),
        followups=(
            ("Do you offer payment plans?", "Yes, we can split larger invoices into three monthly payments.", "payment plans"),
        ),
        support=(
            (
                "a missed callback",
                "Hi, I left a message yesterday and nobody called me back.",
                "I was told someone would call me by the end of the day.",
                "I'm sorry about that. I've flagged your message as urgent, and the office manager will call you within the hour.",
            ),
        ),
        complaints=(("a billing error", "I was billed for a service I never received, and I want a refund today."),),
        lead_topic="the information you requested on our website",
        lead_label="a website inquiry",
        qualify=(
            ("What are you hoping we can help you with?", ("I need a quote for a project.", "I'm just comparing options for now.")),
            ("What's your timeline?", ("In the next few weeks.", "Sometime this year.")),
        ),
    ),
}

_INDUSTRY_WORDS = {
    "dental": {"dental", "dentist", "dentistry", "orthodontics", "orthodontist"},
    "real_estate": {"real", "realty", "estate", "realtor", "realtors", "brokerage", "properties"},
    "auto_repair": {"auto", "automotive", "car", "cars", "mechanic", "garage", "tire", "tires", "collision"},
    "hvac": {"hvac", "heating", "cooling", "air", "furnace", "plumbing"},
}


def _industry_key(*texts: str) -> str:
    words = set(re.findall(r"[a-z]+", " ".join(texts).lower()))
    for key, keys in _INDUSTRY_WORDS.items():
        if words & keys:
            return key
    return "general"


def _client_industry(business: str, agent_name: str) -> str:
    known = {c.name: c.industry for c in DEMO_CLIENTS}
    return _industry_key(known.get(business, ""), business, agent_name)


# --------------------------------------------------------------------------------------------------
# Names, days, voices
# --------------------------------------------------------------------------------------------------

_FIRST = (
    "Maria", "James", "Linda", "Robert", "Patricia", "Michael", "Jennifer", "David", "Aisha", "Carlos",
    "Emily", "Kevin", "Priya", "Tom", "Grace", "Daniel", "Sofia", "Marcus", "Hannah", "Luis",
    "Rachel", "Brian", "Mei", "Andre",
)
_LAST = (
    "Lopez", "Johnson", "Nguyen", "Smith", "Patel", "Garcia", "Brown", "Kim", "Williams", "Martinez",
    "Davis", "Chen", "Wilson", "Anderson", "Thomas", "Rivera", "Clark", "Lewis", "Walker", "Young",
)
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
_LATER_DAYS = ("next Monday", "next Tuesday", "next Wednesday", "next Thursday")
_TIMES = ("8:30 AM", "9:00 AM", "10:15 AM", "11:00 AM", "1:30 PM", "2:45 PM", "3:30 PM", "4:15 PM")
_PERSONAS = ("Ava", "Sam", "Olivia", "Max", "Grace", "Leo", "Mia", "Noah")
_AGENT_ROLES = ("Front Desk", "Lead Follow-up", "After-Hours", "Reminders", "Scheduling", "Support Line")
_OUTBOUND_ROLES = {"Lead Follow-up", "Reminders"}
_WRONG_NUMBER_TARGETS = ("Tony's Pizza", "Dr. Henderson's office", "the DMV", "Lincoln Elementary", "a pharmacy")

_RETELL_VOICES = ("11labs-Adrian", "11labs-Myra", "retell-Cimo", "openai-Alloy", "retell-Marissa")
_RETELL_MODELS = ("gpt-4.1", "gpt-4.1-mini", "gpt-4o-mini")
_VAPI_VOICES = (
    ("vapi", "Elliot"), ("vapi", "Clara"), ("11labs", "21m00Tcm4TlvDq8ikWAM"), ("11labs", "EXAVITQu4vr4xnSDxMaL"),
)
_VAPI_MODELS = (("openai", "gpt-4o"), ("openai", "gpt-4.1-mini"), ("google", "gemini-2.0-flash"))
_VAPI_RUBRICS = ("PassFail", "PassFail", "PassFail", "NumericScale", "DescriptiveScale")
_EL_VOICES = ("21m00Tcm4TlvDq8ikWAM", "EXAVITQu4vr4xnSDxMaL", "pNInz6obpgDQGcFmaJgB", "cjVigY5qzO86Huf0OWal")
_EL_LLMS = ("gpt-4o-mini", "gemini-2.0-flash", "claude-3-5-sonnet", "gpt-4.1-mini")
_B32 = "0123456789abcdefghjkmnpqrstvwxyz"


def _retell_id(rng: random.Random) -> str:
    return f"{rng.getrandbits(128):032x}"


def _vapi_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _el_id(rng: random.Random, prefix: str) -> str:
    # Shaped like ElevenLabs ids, e.g. agent_3701k3ttaq12ewp8b7qv5rfyszkz.
    return f"{prefix}_{rng.randrange(10000):04d}k" + "".join(rng.choices(_B32, k=23))


def _phone(index: int) -> str:
    # Scatter indexes over the 7 digits so consecutive callers don't get consecutive numbers.
    return f"+1555{(index * 7_368_787 + 1_234_567) % 10_000_000:07d}"


# --------------------------------------------------------------------------------------------------
# Agent traits shared by generate_agents and the call generator (both derive them from the agent id)
# --------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Profile:
    agent_id: str
    name: str
    business: str
    industry: _Industry
    persona: str
    number: str  # the agent's own phone number
    phone_number_id: str
    rate: float  # USD per minute
    version: int
    org_id: str | None
    rubric: str  # Vapi success-evaluation rubric
    prompt: str
    directions: tuple[str, ...]  # call directions its role handles


def _directions(agent_name: str) -> tuple[str, ...]:
    role = agent_name.split(" – ")[-1].rstrip("0123456789 ")
    if role in _OUTBOUND_ROLES:
        return ("outbound",)
    return ("inbound",) if role in _AGENT_ROLES else ("inbound", "outbound")


def _traits(platform: str, agent_id: str) -> tuple[str, str, str, float]:
    """Persona, own number, phone-number id and price per minute, stable for an agent id."""
    r = random.Random(f"traits|{agent_id}")
    persona = _PERSONAS[zlib.crc32(agent_id.encode()) % len(_PERSONAS)]
    number = _phone(r.randrange(10_000_000))
    pn_id = _vapi_id(r) if platform == "vapi" else _el_id(r, "phnum")
    return persona, number, pn_id, r.uniform(0.075, 0.14)


def _profile(platform: str, agent: dict[str, Any]) -> _Profile:
    if platform == "retell":
        agent_id, name, prompt = agent["agent_id"], agent.get("agent_name"), agent.get("_prompt", "")
    elif platform == "vapi":
        agent_id, name = agent["id"], agent.get("name")
        messages = (agent.get("model") or {}).get("messages") or []
        prompt = next((m.get("content", "") for m in messages if m.get("role") == "system"), "")
    else:
        agent_id, name = agent["agent_id"], agent.get("name")
        prompt = ((agent.get("conversation_config") or {}).get("agent") or {}).get("prompt", {}).get("prompt", "")
    name = name or agent_id
    business = agent.get("_client") or name.split(" – ")[0]
    persona, number, pn_id, rate = _traits(platform, agent_id)
    plan = ((agent.get("analysisPlan") or {}).get("successEvaluationPlan") or {})
    return _Profile(
        agent_id=agent_id,
        name=name,
        business=business,
        industry=_INDUSTRIES[_client_industry(business, name)],
        persona=persona,
        number=number,
        phone_number_id=pn_id,
        rate=rate,
        version=int(agent.get("version") or 1),
        org_id=agent.get("orgId"),
        rubric=plan.get("rubric", "PassFail"),
        prompt=prompt,
        directions=_directions(name),
    )


# --------------------------------------------------------------------------------------------------
# Conversation scripts
# --------------------------------------------------------------------------------------------------

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
        return self.pick((
            f"Thanks for calling {self.business}, this is {self.persona}. How can I help you today?",
            f"Hi, you've reached {self.business}. This is {self.persona}, how can I help?",
            f"Good day, {self.business}, {self.persona} speaking. What can I do for you?",
        ))


def _s_book(c: _Ctx, ok: bool) -> _Script:
    item = c.pick(c.ind.bookables)
    lines = [
        ("agent", c.greeting()),
        ("user", c.pick((f"Hi, I'd like to book {item}.", f"Hi there. I was hoping to get {item} on the calendar.", f"Yeah, hi, can I set up {item}?"))),
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
            ("agent", f"Great, you're all set for {c.day} at {c.time}. You'll get a text confirmation shortly. Is there anything else I can help with?"),
            ("user", "No, that's everything. Thank you so much!" if mood == "Positive" else "No, that's it."),
            ("agent", f"You're welcome, {c.first}. Have a great day!"),
        ]
        summary = (f"{c.name} called to book {item}. "
                   f"The agent booked {c.day} at {c.time} and sent a text confirmation.")
    else:
        mood = c.upset(0.35)
        lines += [
            ("agent", f"I'm sorry, {c.day} is fully booked. The next opening I have is {c.later} at {c.time2}."),
            ("user", "That's way too far out. Honestly, that's really frustrating." if mood == "Negative" else "Hmm, that doesn't work for me. I'll check my calendar and call back."),
            ("agent", "I understand, and I'm sorry we couldn't find a time today. Call back anytime and we'll find something that works."),
        ]
        outcome = ("The caller was frustrated and did not book." if mood == "Negative"
                   else "The caller will call back to book.")
        summary = (f"{c.name} wanted to book {item} on {c.day}, "
                   f"but the only opening offered was {c.later} at {c.time2}. {outcome}")
    data = {"intent": "book_appointment", "caller_name": c.name, "appointment_booked": ok,
            "appointment_time": f"{c.day} {c.time}" if ok else None}
    return _Script(lines, summary, mood, data)


def _s_reschedule(c: _Ctx, ok: bool) -> _Script:
    appt = c.ind.appt
    lines = [
        ("agent", c.greeting()),
        ("user", f"Hi, I need to move my {appt} on {c.day}."),
        ("agent", f"No problem. What's the name on the {appt}?"),
        ("user", f"{c.name}."),
        ("agent", f"Thanks, {c.first}. I see you're booked for {c.day} at {c.time}. When would you like to move it to?"),
        ("user", f"Is there anything on {c.new_day}?"),
    ]
    if ok:
        mood = c.mood(0.55)
        lines += [
            ("agent", f"Yes, I have {c.new_time} on {c.new_day}. Should I move you there?"),
            ("user", "Yes, please."),
            ("agent", f"Done. You're now booked for {c.new_day} at {c.new_time}, and your {c.day} time has been released. Anything else?"),
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
            ("agent", f"Okay, I've left your {appt} on {c.day} at {c.time}. If anything opens up on {c.new_day}, we'll text you."),
        ]
        summary = (f"{c.name} tried to move their {appt} from {c.day} to {c.new_day}, but nothing was available; "
                   f"the original {c.day} {c.time} {appt} was kept.")
    data = {"intent": "reschedule_appointment", "caller_name": c.name, "appointment_booked": ok,
            "appointment_time": f"{c.new_day} {c.new_time}" if ok else f"{c.day} {c.time}"}
    return _Script(lines, summary, mood, data)


def _s_cancel(c: _Ctx, ok: bool) -> _Script:
    appt = c.ind.appt
    reason = c.pick((
        "Something came up at work.", "I'm going to be out of town.", "I'm feeling sick.",
        "We decided to go a different direction.",
    ))
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
            ("agent", f"No problem, your {appt} on {c.day} is cancelled, and you'll get a confirmation text. Is there anything else I can help with?"),
            ("user", "No, that's it. Thanks."),
            ("agent", "Take care, and call us whenever you're ready to rebook."),
        ]
        summary = f"{c.name} cancelled their {appt} on {c.day} at {c.time} and did not want to reschedule."
    else:
        mood = c.upset(0.6)
        lines += [
            ("agent", f"Since it's within 24 hours, I can't cancel it here without a $50 late-cancellation fee. I'll have {c.ind.staff} call you back about it."),
            ("user", "Seriously? Nobody told me about a fee." if mood == "Negative" else "Okay, please have them call me."),
            ("agent", "I'm sorry for the inconvenience. Someone will call you today."),
        ]
        summary = (f"{c.name} asked to cancel their {appt} on {c.day}; it was inside the 24-hour window, "
                   f"so it was not cancelled and {c.ind.staff} will call back about the late fee.")
    data = {"intent": "cancel_appointment", "caller_name": c.name, "appointment_booked": False,
            "appointment_time": None}
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
            ("user", "Okay, that sounds reasonable. I'll go ahead and book online." if mood == "Neutral" else "Great, that's really helpful. Thank you!"),
            ("agent", "Happy to help! You can book online or call us anytime. Have a great day."),
        ]
        summary = (f"The caller asked about pricing for {subject} and about {topic}. "
                   "The agent answered both questions and the caller was satisfied.")
    else:
        mood = c.upset(0.4)
        lines += [
            ("user", "Wow, that's a lot more than I wanted to pay. Never mind." if mood == "Negative" else "Hmm, that's more than I expected. I'll think about it."),
            ("agent", "I understand. If you have any other questions, feel free to call us back."),
        ]
        summary = (f"The caller asked about pricing for {subject} and about {topic}, "
                   "found the price higher than expected, and did not book.")
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
        summary = (f"{c.name} called about {topic}. "
                   "The agent resolved the issue and explained the next steps; the caller was satisfied.")
    else:
        mood = c.upset(0.6)
        lines += [
            ("agent", f"I'm not able to resolve that directly, but I've opened a ticket and {c.ind.staff} will call you back within one business day."),
            ("user", "I've already waited long enough. This is really frustrating." if mood == "Negative" else "Okay, I'll wait for the call then."),
            ("agent", "I understand, and I'm sorry for the trouble. I've marked it as a priority."),
        ]
        tail = "; the caller was frustrated." if mood == "Negative" else "."
        summary = (f"{c.name} called about {topic}. The agent could not resolve it on the call "
                   f"and opened a ticket for {c.ind.staff} to call back{tail}")
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
        ("agent", f"I understand, {c.first}. I've found your account and I can see what happened. I can't issue refunds myself, but I can get this to {staff} right away."),
        ("user", "That's what I was told last time, and nobody ever called me back."),
    ]
    end = None
    if ok:
        mood = "Neutral"
        lines += [
            ("agent", f"You're right, and that shouldn't have happened. I've confirmed it with {staff}, and a full refund has been approved. You'll see it in three to five business days."),
            ("user", "Okay. Well, thank you for actually fixing it."),
            ("agent", "Of course, and I'm sorry again for the trouble."),
        ]
        summary = (f"{c.name} called upset about {topic} and demanded a refund. "
                   "The agent confirmed the problem and a full refund was approved; the caller calmed down.")
    elif c.rng.random() < 0.5:
        mood, end = "Negative", "transfer"
        lines += [
            ("agent", f"I completely understand. I'm transferring you to {staff} now, so please stay on the line."),
            ("user", "Fine."),
        ]
        summary = (f"{c.name} called angry about {topic} and asked for a manager. "
                   f"The agent apologized and transferred the call to {staff}.")
    else:
        mood = "Negative"
        lines += [
            ("agent", f"I completely understand your frustration. I've flagged this as urgent, and {staff} will call you today before 5 PM."),
            ("user", "If I don't hear back today, I'm disputing the charge and leaving a review."),
            ("agent", "Understood. I'm very sorry again, and I'll make sure they call you."),
        ]
        summary = (f"{c.name} called angry about {topic}, demanded a refund or a manager, and threatened a dispute. "
                   f"The agent escalated it to {staff} for a same-day callback.")
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
        ("user", f"Hi, you've reached {c.first}. I can't take your call right now, so please leave a message after the tone."),
        ("agent", f"Hi {c.first}, this is {c.persona} calling from {c.business} about {topic}. Please give us a call back when you get a chance. Thanks, and have a great day!"),
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
        ("agent", f"Hi {c.first}, this is {c.persona}, a virtual assistant with {c.business}. I'm following up on {ind.lead_topic}. Do you have a couple of minutes?"),
        ("user", "Sure, go ahead."),
    ]
    questions = c.rng.sample(ind.qualify, min(len(ind.qualify), c.rng.randint(2, 4)))
    for question, answers in questions:
        lines += [("agent", question), ("user", c.pick(answers))]
    lines.append(("agent", f"Thanks, that's really helpful. "
                           f"Would you like me to book a time with {ind.staff} to go over your options?"))
    if ok:
        mood = c.mood(0.6)
        lines += [
            ("user", f"Sure. How about {c.day}?"),
            ("agent", f"I have {c.time} on {c.day}. Does that work?"),
            ("user", "Yes, that works."),
            ("agent", f"Perfect, you're booked for {c.day} at {c.time}. You'll get a confirmation text. Thanks, {c.first}!"),
            ("user", "Great, thanks so much. Bye!" if mood == "Positive" else "Okay, bye."),
        ]
        summary = (f"Follow-up call with {c.name} about {ind.lead_label}. "
                   f"The lead answered {len(questions)} qualifying questions, qualified, "
                   f"and booked a time with {ind.staff} on {c.day} at {c.time}.")
    else:
        mood = c.upset(0.3)
        negative = mood == "Negative"
        lines += [
            ("user", "Please take me off your list. I'm not interested." if negative else "Actually, I'm just looking right now. I'm not ready to commit to anything."),
            ("agent", "Understood, I've removed you from our call list. Sorry for the interruption." if negative
             else "No problem at all. I'll text you our information, and you can reach out whenever you're ready."),
        ]
        outcome = ("asked to be removed from the call list." if negative
                   else "was not ready to book; information was sent by text.")
        summary = (f"Follow-up call with {c.name} about {ind.lead_label}. "
                   f"The lead answered {len(questions)} qualifying questions but {outcome}")
    data = {"intent": "lead_qualification", "caller_name": c.name, "lead_qualified": ok, "appointment_booked": ok,
            "appointment_time": f"{c.day} {c.time}" if ok else None}
    return _Script(lines, summary, mood, data)


def _s_confirmation(c: _Ctx, ok: bool) -> _Script:
    appt = c.ind.appt
    lines = [
        ("user", "Hello?"),
        ("agent", f"Hi, is this {c.first}?"),
        ("user", "Yes, speaking."),
        ("agent", f"Hi {c.first}, this is {c.persona} from {c.business}, calling to confirm your {appt} on {c.day} at {c.time}. Will you be able to make it?"),
    ]
    if ok:
        mood = c.mood(0.5)
        lines += [
            ("user", "Yes, I'll be there."),
            ("agent", "Great, we'll see you then. Please arrive about ten minutes early. Anything else I can help with?"),
            ("user", "Nope, that's it. Thanks for the reminder!" if mood == "Positive" else "No, thanks."),
            ("agent", "Have a great day!"),
        ]
        summary = f"Reminder call to {c.name}: they confirmed their {appt} on {c.day} at {c.time}."
    else:
        mood = c.upset(0.2)
        lines += [
            ("user", "Oh, actually, I can't make it anymore."),
            ("agent", "No problem. Would you like to reschedule?"),
            ("user", "No. Honestly, I had a bad experience last time and I'm going somewhere else." if mood == "Negative"
             else "Not right now. I'll call back when I know my schedule."),
            ("agent", f"Okay, I've cancelled your {appt} on {c.day}. Give us a call whenever you're ready."),
        ]
        summary = (f"Reminder call to {c.name}: they can no longer make their {appt} on {c.day} at {c.time}; "
                   "it was cancelled and not rescheduled.")
    data = {"intent": "appointment_confirmation", "caller_name": c.name, "appointment_booked": ok,
            "appointment_time": f"{c.day} {c.time}" if ok else None}
    return _Script(lines, summary, mood, data)


def _s_error_in(c: _Ctx, ok: bool) -> _Script:
    return _cut_by_error(c, c.pick((
        (_s_book, "trying to book an appointment"),
        (_s_pricing, "asking about pricing"),
        (_s_support, "describing a problem"),
    )))


def _s_error_out(c: _Ctx, ok: bool) -> _Script:
    return _cut_by_error(c, (_s_lead, "answering qualifying questions"))


def _cut_by_error(c: _Ctx, base: tuple[Callable[[_Ctx, bool], _Script], str]) -> _Script:
    script, activity = base
    lines = script(c, True).lines
    lines = lines[: c.rng.randint(2, min(6, len(lines) - 1))]
    summary = (f"The call ended abruptly because of a technical error while the caller was {activity}; "
               "the request was not completed.")
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
    (("agent", "What's the best email address for you?"), ("user", "It's {email}."),
     ("agent", "Thanks. Just to confirm, that's {email}?"), ("user", "Yes, that's right.")),
    (("agent", "Is the number you're calling from the best one to reach you?"), ("user", "Yes, that's my cell.")),
)
_PADS_USER_FIRST: tuple[_Pad, ...] = (
    (("user", "What are your hours, by the way?"), ("agent", "We're open {hours}.")),
    (("user", "Is this a real person?"),
     ("agent", "I'm a virtual assistant for {business}, but I can take care of most things, and I can connect you with the team if you need.")),
    (("user", "Hang on one second, sorry."), ("agent", "Of course, take your time.")),
    (("user", "Sorry, it's a bit loud where I am. Can you hear me okay?"), ("agent", "Yes, I can hear you fine.")),
    (("user", "Can you check that my details are up to date while you're at it?"), ("agent", "Sure, one moment while I look."),
     ("agent", "Okay, everything on file looks current.")),
)
_PADS_LONG: tuple[_Pad, ...] = (
    (("user", "So, just to give you the full picture, this started a couple of weeks ago and I've already spent a lot of "
              "time on it. I called once before and was told someone would follow up, but nobody did, and now I'm taking "
              "time out of my workday to deal with it again, which is really not what I need right now."),
     ("agent", "Thank you for explaining all of that, it really helps. I'm sorry you've had to spend so much time on this.")),
    (("user", "And I want to be clear, I've been a customer for years and I've always recommended you to friends and "
              "family, so this has been really disappointing, and I just want it handled properly this time without "
              "having to call back again."),
     ("agent", "I completely understand, and I appreciate you sticking with us. Let me make sure it's handled properly.")),
    (("user", "Could you look up what was done last time? I don't have the paperwork in front of me."),
     ("agent", "Of course. Give me a moment to pull up the notes."),
     ("agent", "Okay, I have the notes from last time here, and I can see everything that was done.")),
)
_PADS_ANGRY: tuple[_Pad, ...] = (
    (("user", "This is the third time I've called about this."),
     ("agent", "I'm really sorry. I can see your earlier calls, and I'll make sure this one gets resolved.")),
    (("user", "Do you have any idea how much time I've wasted on this?"),
     ("agent", "I understand, and I'm sorry. That shouldn't have happened.")),
    (("user", "Honestly, I'm about to leave a one-star review."),
     ("agent", "I understand why you'd feel that way, and I want to make this right.")),
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
        "direction", "webable", "turns", "duration", "successful", "analysable", "sentiment", "summary",
        "data", "end", "score", "latencies", "agent_chars", "_retell", "_vapi", "_el",
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
        self._retell = self._vapi = self._el = None

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


# --------------------------------------------------------------------------------------------------
# Retell
# --------------------------------------------------------------------------------------------------

_RETELL_END = {
    "user_hangup": "user_hangup", "agent_hangup": "agent_hangup", "transfer": "call_transfer",
    "voicemail": "voicemail_reached", "no_answer": "dial_no_answer", "busy": "dial_busy",
    "error_llm": "error_llm_websocket_lost_connection", "error_asr": "error_asr", "error_tts": "error_retell",
}


def _retell_transcript(turns: list[_Turn]) -> tuple[str, list[dict[str, Any]]]:
    text = "".join(f"{'Agent' if t.role == 'agent' else 'User'}: {t.text}\n" for t in turns)
    obj = [
        {"role": t.role, "content": t.text, "words": [{"word": w, "start": s, "end": e} for w, s, e in t.words]}
        for t in turns
    ]
    return text, obj


def _percentiles_ms(values: list[float]) -> dict[str, Any]:
    ms = sorted(round(v * 1000) for v in values)
    stats: dict[str, Any] = {f"p{q}": ms[min(len(ms) - 1, q * len(ms) // 100)] for q in (50, 90, 95, 99)}
    stats.update(max=ms[-1], min=ms[0], num=len(ms), values=ms)
    return stats


def _retell_render(conv: _Conversation) -> tuple[str, list[dict[str, Any]], dict[str, Any] | None]:
    if conv._retell is None:
        text, obj = _retell_transcript(conv.turns)
        latency = {"e2e": _percentiles_ms(conv.latencies)} if conv.latencies else None
        conv._retell = (text, obj, latency)
    return conv._retell


def _retell_call(p: _Profile, conv: _Conversation, rng: random.Random, start_ms: int, other: str, web: bool,
                 elapsed: float | None) -> dict[str, Any]:
    call_id = _retell_id(rng)
    call: dict[str, Any] = {
        "call_id": call_id,
        "call_type": "web_call" if web else "phone_call",
        "agent_id": p.agent_id,
        "agent_version": p.version,
        "agent_name": p.name,
    }
    if not web:
        call["direction"] = conv.direction
        inbound = conv.direction == "inbound"
        call["from_number"], call["to_number"] = (other, p.number) if inbound else (p.number, other)
    call["start_timestamp"] = start_ms
    if elapsed is not None:
        call["call_status"] = "ongoing"
        call["transcript"], call["transcript_object"] = _retell_transcript(conv.partial(elapsed))
        return call

    text, obj, latency = _retell_render(conv)
    duration_ms = round(conv.duration * 1000)
    rate_cents = p.rate * (0.95 + 0.1 * rng.random()) * 100 / 60  # cents per second
    if conv.end.startswith("error"):
        call["call_status"] = "error"
    else:
        call["call_status"] = "ended" if conv.connected else "not_connected"
    call["end_timestamp"] = start_ms + duration_ms
    call["duration_ms"] = duration_ms
    call["transcript"] = text
    call["transcript_object"] = obj
    if conv.connected:
        call["recording_url"] = f"https://storage.example.com/retell/{call_id}/recording.wav"
    call["disconnection_reason"] = _RETELL_END[conv.end]
    call["call_cost"] = _retell_cost(conv.duration if conv.connected else 0.0, rate_cents)
    if latency:
        call["latency"] = latency
    call["call_analysis"] = {
        "call_summary": conv.summary,
        "user_sentiment": conv.sentiment or "Unknown",
        "call_successful": conv.successful,
        "in_voicemail": conv.end == "voicemail",
        "custom_analysis_data": conv.data,
    }
    return call


def _retell_cost(seconds: float, rate_cents: float) -> dict[str, Any]:
    total = round(seconds * rate_cents, 4)
    shares = (("retell_platform", 0.45), ("elevenlabs_tts", 0.35), ("gpt_4_1", 0.2))
    return {
        "combined_cost": total,
        "product_costs": [
            {"product": name, "unit_price": round(rate_cents * share, 6), "cost": round(total * share, 4)}
            for name, share in shares
        ] if seconds else [],
        "total_duration_seconds": round(seconds),
        "total_duration_unit_price": round(rate_cents, 6),
    }


def _retell_agent(rng: random.Random, spec: _AgentSpec) -> dict[str, Any]:
    agent_id = _retell_id(rng)
    version = rng.randint(1, 6)
    llm_id = f"llm_{rng.getrandbits(96):024x}"
    model = rng.choice(_RETELL_MODELS)
    persona = _traits("retell", agent_id)[0]
    prompt = spec.prompt(persona)
    updated_ms = int(spec.updated.timestamp() * 1000)
    return {
        "agent_id": agent_id,
        "agent_name": spec.name,
        "version": version,
        "is_published": True,
        "response_engine": {"type": "retell-llm", "llm_id": llm_id, "version": version},
        "voice_id": rng.choice(_RETELL_VOICES),
        "language": "en-US",
        "webhook_url": "https://hooks.example.com/retell",
        "max_call_duration_ms": 600000,
        "post_call_analysis_data": [dict(f) for f in _ANALYSIS_FIELDS],
        "last_modification_timestamp": updated_ms,
        "_client": spec.client.name,
        "_prompt": prompt,
        "_llm": {
            "llm_id": llm_id,
            "version": version,
            "is_published": True,
            "model": model,
            "general_prompt": prompt,
            "begin_message": spec.greeting(persona),
            "start_speaker": "agent",
            "last_modification_timestamp": updated_ms,
        },
    }


_ANALYSIS_FIELDS = [
    {"type": "enum", "name": "intent", "description": "Main reason for the call.",
     "choices": ["book_appointment", "reschedule_appointment", "cancel_appointment", "pricing_question", "support",
                 "complaint", "lead_qualification", "appointment_confirmation", "wrong_number", "voicemail", "unknown"]},
    {"type": "string", "name": "caller_name", "description": "The caller's full name, if given."},
    {"type": "boolean", "name": "appointment_booked", "description": "Was an appointment booked or kept?"},
    {"type": "string", "name": "appointment_time", "description": "Day and time of the booked appointment."},
    {"type": "boolean", "name": "lead_qualified", "description": "Did the lead qualify?"},
    {"type": "boolean", "name": "escalation_requested", "description": "Does a human need to follow up?"},
]


# --------------------------------------------------------------------------------------------------
# Vapi
# --------------------------------------------------------------------------------------------------

_VAPI_END = {
    "user_hangup": "customer-ended-call", "agent_hangup": "assistant-ended-call", "transfer": "assistant-forwarded-call",
    "voicemail": "voicemail", "no_answer": "customer-did-not-answer", "busy": "customer-busy",
    "error_llm": "pipeline-error-openai-llm-failed", "error_asr": "pipeline-error-deepgram-transcriber-failed",
    "error_tts": "pipeline-error-eleven-labs-voice-failed",
}
_DESCRIPTIVE = {10: "Excellent", 9: "Excellent", 8: "Good", 7: "Good", 6: "Fair", 5: "Fair", 4: "Fair"}


def _iso(ms: int) -> str:
    moment = datetime.fromtimestamp(ms / 1000, timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _vapi_messages(turns: list[_Turn], start_ms: int, prompt: str) -> list[dict[str, Any]]:
    system = {"role": "system", "message": prompt, "time": start_ms, "secondsFromStart": 0}
    messages: list[dict[str, Any]] = [system]
    for t in turns:
        begin, end = start_ms + round(t.words[0][1] * 1000), start_ms + round(t.words[-1][2] * 1000)
        messages.append({
            "role": "bot" if t.role == "agent" else "user",
            "message": t.text,
            "time": begin,
            "endTime": end,
            "secondsFromStart": t.words[0][1],
            "duration": end - begin,
        })
    return messages


def _vapi_transcript(turns: list[_Turn]) -> str:
    return "".join(f"{'AI' if t.role == 'agent' else 'User'}: {t.text}\n" for t in turns)


def _vapi_success(p: _Profile, conv: _Conversation) -> str:
    if p.rubric == "NumericScale":
        return str(conv.score)
    if p.rubric == "DescriptiveScale":
        return _DESCRIPTIVE.get(conv.score, "Poor")
    return "true" if conv.successful else "false"


def _vapi_call(p: _Profile, conv: _Conversation, rng: random.Random, start_ms: int, other: str, web: bool,
               elapsed: float | None) -> dict[str, Any]:
    call_id = _vapi_id(rng)
    created_ms = start_ms - rng.randrange(800, 3500)  # ringing before pick-up
    call: dict[str, Any] = {
        "id": call_id,
        "orgId": p.org_id,
        "assistantId": p.agent_id,
        "type": "webCall" if web else ("inboundPhoneCall" if conv.direction == "inbound" else "outboundPhoneCall"),
    }
    if not web:
        call["phoneNumberId"] = p.phone_number_id
        call["customer"] = {"number": other}
        call["phoneCallProvider"] = "twilio"
        call["phoneCallProviderId"] = f"CA{rng.getrandbits(128):032x}"
    call["createdAt"] = _iso(created_ms)
    if elapsed is not None:
        turns = conv.partial(elapsed)
        call["status"] = "in-progress"
        call["updatedAt"] = _iso(start_ms + round(elapsed * 1000))
        call["startedAt"] = _iso(start_ms)
        call["artifact"] = {
            "messages": _vapi_messages(turns, start_ms, p.prompt),
            "transcript": _vapi_transcript(turns),
        }
        return call

    if conv._vapi is None:
        conv._vapi = _vapi_transcript(conv.turns)
    end_ms = start_ms + round(conv.duration * 1000)
    call["status"] = "ended"
    call["endedReason"] = _VAPI_END[conv.end]
    call["updatedAt"] = _iso(end_ms + rng.randrange(3000, 20000))  # analysis lands a few seconds later
    if conv.connected:
        call["startedAt"] = _iso(start_ms)
    call["endedAt"] = _iso(end_ms)
    cost = round(conv.duration / 60 * p.rate * (0.95 + 0.1 * rng.random()), 4) if conv.connected else 0.0
    call["cost"] = cost
    call["costBreakdown"] = _vapi_cost(cost, conv)
    if conv.analysable:
        call["analysis"] = {
            "summary": conv.summary,
            "successEvaluation": _vapi_success(p, conv),
            "structuredData": _with_sentiment(conv),
        }
    else:
        call["analysis"] = {}
    artifact: dict[str, Any] = {"messages": _vapi_messages(conv.turns, start_ms, p.prompt) if conv.turns else [],
                                "transcript": conv._vapi}
    if conv.connected:
        base = f"https://storage.example.com/vapi/{call_id}"
        artifact["recordingUrl"] = f"{base}/mono.wav"
        artifact["stereoRecordingUrl"] = f"{base}/stereo.wav"
        artifact["recording"] = {"stereoUrl": f"{base}/stereo.wav", "mono": {"combinedUrl": f"{base}/mono.wav"}}
    call["artifact"] = artifact
    return call


def _with_sentiment(conv: _Conversation) -> dict[str, Any]:
    """Custom extraction plus a lowercase "sentiment" item: Vapi has no sentiment field and ElevenLabs
    reports one only in list summaries, so agencies add it to their extraction schema."""
    if conv.sentiment is None:
        return conv.data
    return {**conv.data, "sentiment": conv.sentiment.lower()}


def _vapi_cost(cost: float, conv: _Conversation) -> dict[str, Any]:
    parts = {"transport": 0.08, "stt": 0.1, "llm": 0.17, "tts": 0.3, "vapi": 0.35}
    breakdown: dict[str, Any] = {k: round(cost * v, 4) for k, v in parts.items()}
    breakdown["total"] = cost
    breakdown["llmPromptTokens"] = 900 * len(conv.turns)
    breakdown["llmCompletionTokens"] = conv.agent_chars // 4
    breakdown["ttsCharacters"] = conv.agent_chars
    return breakdown


def _vapi_agent(rng: random.Random, spec: _AgentSpec, org_id: str) -> dict[str, Any]:
    agent_id = _vapi_id(rng)
    persona = _traits("vapi", agent_id)[0]
    voice_provider, voice_id = rng.choice(_VAPI_VOICES)
    model_provider, model = rng.choice(_VAPI_MODELS)
    return {
        "id": agent_id,
        "orgId": org_id,
        "name": spec.name[:40],  # Vapi caps assistant names at 40 characters
        "firstMessage": spec.greeting(persona),
        "firstMessageMode": "assistant-speaks-first",
        "model": {"provider": model_provider, "model": model, "temperature": 0.4,
                  "messages": [{"role": "system", "content": spec.prompt(persona)}]},
        "voice": {"provider": voice_provider, "voiceId": voice_id},
        "transcriber": {"provider": "deepgram", "model": "nova-3", "language": "en"},
        "analysisPlan": {"successEvaluationPlan": {"rubric": rng.choice(_VAPI_RUBRICS)}},
        "server": {"url": "https://hooks.example.com/vapi"},
        "serverMessages": ["status-update", "end-of-call-report"],
        "maxDurationSeconds": 600,
        "metadata": {"client": spec.client.name},
        "createdAt": _iso(int(spec.created.timestamp() * 1000)),
        "updatedAt": _iso(int(spec.updated.timestamp() * 1000)),
        "_client": spec.client.name,
    }


# --------------------------------------------------------------------------------------------------
# ElevenLabs
# --------------------------------------------------------------------------------------------------

_EL_END = {
    "user_hangup": "Call ended by remote party", "agent_hangup": "end_call tool was called.",
    "transfer": "transfer_to_number tool was called.", "voicemail": "Voicemail detected",
    "no_answer": "Call not answered", "busy": "Line busy",
    "error_llm": "LLM request failed", "error_asr": "Speech recognition failed", "error_tts": "TTS generation failed",
}
_EL_SUCCESS = {True: "success", False: "failure"}


def _el_transcript(turns: list[_Turn]) -> list[dict[str, Any]]:
    return [
        {"role": t.role, "message": t.text, "time_in_call_secs": int(t.words[0][1]), "interrupted": t.interrupted}
        for t in turns
    ]


def _el_analysis(conv: _Conversation) -> dict[str, Any]:
    if conv._el is None:
        outcome = _EL_SUCCESS[conv.successful] if conv.analysable else "unknown"
        collected = _with_sentiment(conv)
        conv._el = (_el_transcript(conv.turns), {
            "call_successful": outcome,
            "transcript_summary": conv.summary,
            "evaluation_criteria_results": {
                "goal_achieved": {"criteria_id": "goal_achieved", "result": outcome, "rationale": conv.summary},
            },
            "data_collection_results": {
                key: {"data_collection_id": key, "value": value, "rationale": ""}
                for key, value in collected.items()
            },
        })
    return conv._el


def _el_call(p: _Profile, conv: _Conversation, rng: random.Random, start_ms: int, other: str, web: bool,
             elapsed: float | None) -> dict[str, Any]:
    start_s = start_ms // 1000
    call: dict[str, Any] = {
        "agent_id": p.agent_id,
        "agent_name": p.name,
        "conversation_id": _el_id(rng, "conv"),
        "user_id": None,
    }
    metadata: dict[str, Any] = {
        "start_time_unix_secs": start_s,
        "accepted_time_unix_secs": start_s,
        "main_language": "en",
    }
    if not web:
        inbound = conv.direction == "inbound"
        metadata["phone_call"] = {
            "type": "twilio",
            "direction": conv.direction,
            "agent_number": p.number,
            "external_number": other,
            "phone_number_id": p.phone_number_id,
            "stream_sid": f"MZ{rng.getrandbits(128):032x}",
            "call_sid": f"CA{rng.getrandbits(128):032x}",
        }
        if not inbound and not conv.connected:
            del metadata["accepted_time_unix_secs"]
    if elapsed is not None:
        call["status"] = "in-progress"
        call["transcript"] = _el_transcript(conv.partial(elapsed))
        metadata["call_duration_secs"] = int(elapsed)
        call["metadata"] = metadata
        call.update(has_audio=False, has_user_audio=False, has_response_audio=False, has_auxiliary_audio=False)
        return call

    transcript, analysis = _el_analysis(conv)
    seconds = round(conv.duration)
    cost_fiat = round(seconds / 60 * p.rate * (0.95 + 0.1 * rng.random()), 4) if conv.connected else 0.0
    is_error = conv.end.startswith("error")
    call["status"] = "failed" if is_error else "done"
    call["transcript"] = transcript
    metadata["call_duration_secs"] = seconds
    metadata["cost"] = round(seconds * 8.3)  # credits; the USD figure is cost_fiat
    metadata["cost_fiat"] = cost_fiat
    metadata["termination_reason"] = _EL_END[conv.end]
    if is_error:
        metadata["error"] = {"code": 1011, "reason": _EL_END[conv.end]}
    call["metadata"] = metadata
    call["analysis"] = analysis
    audio = conv.connected
    call.update(has_audio=audio, has_user_audio=audio, has_response_audio=audio, has_auxiliary_audio=False)
    return call


def _el_agent(rng: random.Random, spec: _AgentSpec) -> dict[str, Any]:
    agent_id = _el_id(rng, "agent")
    persona = _traits("elevenlabs", agent_id)[0]
    return {
        "agent_id": agent_id,
        "name": spec.name,
        "tags": [_client_industry(spec.client.name, spec.client.industry), spec.role.lower().replace(" ", "-")],
        "conversation_config": {
            "agent": {
                "first_message": spec.greeting(persona),
                "language": "en",
                "prompt": {
                    "prompt": spec.prompt(persona), "llm": rng.choice(_EL_LLMS), "temperature": 0.3, "tool_ids": [],
                },
            },
            "tts": {"voice_id": rng.choice(_EL_VOICES), "model_id": "eleven_flash_v2", "stability": 0.5,
                    "speed": 1.0, "similarity_boost": 0.8},
        },
        "metadata": {
            "created_at_unix_secs": int(spec.created.timestamp()),
            "updated_at_unix_secs": int(spec.updated.timestamp()),
        },
        "version_id": _el_id(rng, "agtvrsn"),
        "_client": spec.client.name,
    }


# --------------------------------------------------------------------------------------------------
# Agents
# --------------------------------------------------------------------------------------------------

_ROLE_DUTIES = {
    "Front Desk": "You answer inbound calls: book, reschedule and cancel appointments, and answer questions.",
    "Lead Follow-up": "You call back people who asked for information on the website and qualify them.",
    "After-Hours": "You answer calls outside business hours, take messages and book appointments.",
    "Reminders": "You call customers to confirm upcoming appointments.",
    "Scheduling": "You handle scheduling calls: bookings, changes and cancellations.",
    "Support Line": "You help existing customers with problems and billing questions.",
}


@dataclass(frozen=True, slots=True)
class _AgentSpec:
    client: DemoClient
    role: str
    name: str
    created: datetime
    updated: datetime

    @property
    def industry(self) -> _Industry:
        return _INDUSTRIES[_client_industry(self.client.name, self.client.industry)]

    def greeting(self, persona: str) -> str:
        return f"Thanks for calling {self.client.name}, this is {persona}. How can I help you today?"

    def prompt(self, persona: str) -> str:
        ind = self.industry
        base_role = self.role.rstrip("0123456789 ")
        prices = "; ".join(f"{subject}: {answer}" for subject, answer in ind.prices)
        return (
            f"You are {persona}, the virtual assistant for {self.client.name}, {ind.desc}. "
            f"{_ROLE_DUTIES.get(base_role, _ROLE_DUTIES['Front Desk'])}\n\n"
            f"Business hours: {ind.hours}.\n"
            f"Pricing: {prices}.\n\n"
            "Rules:\n"
            "- Keep answers short and friendly; this is a phone call.\n"
            "- Confirm the caller's name and the day and time before booking anything.\n"
            "- Never invent prices, availability or policies.\n"
            "- If the caller is upset or asks for a manager, apologise and offer a callback or a transfer to "
            f"{ind.staff}.\n"
            "- End the call politely once the caller has what they need."
        )


def generate_agents(platform: str, *, seed: int, count: int, clients: list[DemoClient] | None = None,
                    now: datetime | None = None) -> list[dict[str, Any]]:
    """Native agent objects spread round-robin over `clients` (default DEMO_CLIENTS).

    Extra keys, not part of the platform shape, start with "_": `_client` (client name) everywhere;
    for Retell also `_prompt` and `_llm` (the Retell LLM object the response engine points at, which
    holds the prompt and model).
    """
    _check_platform(platform)
    clients = clients or DEMO_CLIENTS
    rng = random.Random(seed)
    now = _utc(now)
    org_id = _vapi_id(rng)
    agents = []
    for i in range(count):
        client = clients[i % len(clients)]
        lap, slot = divmod(i // len(clients), len(_AGENT_ROLES))
        role = _AGENT_ROLES[slot] + (f" {lap + 1}" if lap else "")
        updated = now - timedelta(days=rng.uniform(1, 60), seconds=rng.randrange(86400))
        created = updated - timedelta(days=rng.uniform(5, 200))
        spec = _AgentSpec(client, role, f"{client.name} – {role}", created, updated)
        if platform == "retell":
            agents.append(_retell_agent(rng, spec))
        elif platform == "vapi":
            agents.append(_vapi_agent(rng, spec, org_id))
        else:
            agents.append(_el_agent(rng, spec))
    return agents


# --------------------------------------------------------------------------------------------------
# Calls
# --------------------------------------------------------------------------------------------------

_Renderer = Callable[[_Profile, _Conversation, random.Random, int, str, bool, float | None], dict[str, Any]]
_RENDERERS: dict[str, _Renderer] = {"retell": _retell_call, "vapi": _vapi_call, "elevenlabs": _el_call}
_WEB_SHARE = 0.04  # of webable inbound calls, arriving through a website widget instead of the phone
# Relative call volume by local hour (0-23) and weekday (Mon-Sun).
_HOUR_WEIGHT = (0.02, 0.01, 0.01, 0.01, 0.01, 0.02, 0.05, 0.3, 0.8, 1.0, 1.0, 1.0,
                0.8, 1.0, 1.0, 1.0, 0.9, 0.6, 0.35, 0.2, 0.15, 0.1, 0.05, 0.03)
_DAY_WEIGHT = (1.0, 1.0, 1.0, 1.0, 0.95, 0.35, 0.15)


def _check_platform(platform: str) -> None:
    if platform not in PLATFORMS:
        raise ValueError(f"unknown platform {platform!r}; expected one of {', '.join(PLATFORMS)}")


def _utc(value: datetime | None) -> datetime:
    if value is None:
        return datetime.now(timezone.utc)
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _start_times(rng: random.Random, n: int, begin: float, end: float) -> list[float]:
    """`n` sorted epoch seconds in [begin, end), weighted towards weekday business hours."""
    lows, spans, weights = [], [], []
    hour = begin - begin % 3600
    while hour < end:
        lo, hi = max(hour, begin), min(hour + 3600, end)
        local = datetime.fromtimestamp(hour + _LOCAL_UTC_OFFSET_H * 3600, timezone.utc)
        lows.append(lo)
        spans.append(hi - lo)
        weights.append(_HOUR_WEIGHT[local.hour] * _DAY_WEIGHT[local.weekday()] * (hi - lo))
        hour += 3600
    buckets = rng.choices(range(len(lows)), weights=weights, k=n)
    return sorted(lows[b] + spans[b] * rng.random() for b in buckets)


def generate_calls(platform: str, agents: list[dict[str, Any]], *, seed: int, count: int, days: int = 90,
                   now: datetime | None = None) -> Iterator[dict[str, Any]]:
    """Yield `count` native call objects spread over the last `days` days, oldest first.

    The newest handful (up to 8, one per 100 calls) are still in progress. Deterministic for a given
    seed, agents and `now`. Nested transcript structures are shared between calls: treat as read-only.
    """
    _check_platform(platform)
    if not agents:
        raise ValueError("generate_calls needs at least one agent")
    if days <= 0:
        raise ValueError("days must be positive")
    rng = random.Random(seed)
    now_s = _utc(now).timestamp()
    render = _RENDERERS[platform]
    profiles = [_profile(platform, a) for a in agents]
    busyness = [0.5 + 1.5 * rng.random() for _ in profiles]  # some agents are busier than others
    # Each direction goes to the agents whose role handles it (any agent if none does).
    pools = {}
    for direction in ("inbound", "outbound"):
        members = [i for i, p in enumerate(profiles) if direction in p.directions] or list(range(len(profiles)))
        pools[direction] = (members, list(accumulate(busyness[i] for i in members)))
    callers = max(200, count // 3)  # a caller pool small enough that people call more than once
    cache: dict[tuple[int, int, int], _Conversation] = {}

    def conversation(ai: int, si: int) -> _Conversation:
        vi = int(rng.random() * _VARIANTS_PER_SCENARIO)
        key = (ai, si, vi)
        conv = cache.get(key)
        if conv is None:
            scenario = _SCENARIOS[si]
            # Stratified outcomes: exactly p_success of a scenario's variants succeed.
            ok = (vi + 0.5) / _VARIANTS_PER_SCENARIO < scenario.p_success
            variant_rng = random.Random(f"{seed}|{profiles[ai].agent_id}|{si}|{vi}")
            conv = cache[key] = _build(profiles[ai], scenario, variant_rng, ok)
        return conv

    def one(start_s: float, live: bool) -> tuple[float, dict[str, Any]]:
        si = _pick_scenario(rng)
        while live and not _SCENARIOS[si].turns:  # live calls are real conversations
            si = _pick_scenario(rng)
        members, cum = pools[_SCENARIOS[si].direction]
        ai = members[bisect.bisect(cum, rng.random() * cum[-1])]
        conv = conversation(ai, si)
        web = conv.webable and rng.random() < _WEB_SHARE
        other = _phone(rng.randrange(callers))
        elapsed = None
        if live:
            elapsed = conv.duration * (0.2 + 0.7 * rng.random())
            start_s = now_s - elapsed
        return start_s, render(profiles[ai], conv, rng, int(start_s * 1000), other, web, elapsed)

    live = min(8, count // 100)
    # Completed calls start at least 10 minutes ago, so every one of them has ended by `now`.
    for start_s in _start_times(rng, count - live, now_s - days * 86400 + 60, now_s - 600):
        yield one(start_s, False)[1]
    for _, call in sorted((one(0.0, True) for _ in range(live)), key=lambda pair: pair[0]):
        yield call


def generate_call(
    platform: str, agent: dict[str, Any], *, rng: random.Random, started_at: datetime
) -> dict[str, Any]:
    """One completed call for `agent`, built fresh (nothing shared), e.g. to feed a webhook."""
    _check_platform(platform)
    profile = _profile(platform, agent)
    scenario = _SCENARIOS[_pick_scenario(rng, profile.directions)]
    conv = _build(profile, scenario, rng, rng.random() < scenario.p_success)
    web = conv.webable and rng.random() < _WEB_SHARE
    start_ms = int(_utc(started_at).timestamp() * 1000)
    return _RENDERERS[platform](profile, conv, rng, start_ms, _phone(rng.randrange(10_000_000)), web, None)


def call_list_item(platform: str, call: dict[str, Any]) -> dict[str, Any]:
    """The shape a call has in the platform's list endpoint (Retell v3 items, ElevenLabs summaries)."""
    _check_platform(platform)
    if platform == "retell":
        # v3 list items leave the transcripts out.
        left_out = ("transcript", "transcript_object", "transcript_with_tool_calls")
        return {k: v for k, v in call.items() if k not in left_out}
    if platform == "vapi":
        return dict(call)  # GET /call returns full Call objects
    meta = call.get("metadata") or {}
    analysis = call.get("analysis") or {}
    summary: dict[str, Any] = {
        "agent_id": call["agent_id"],
        "agent_name": call.get("agent_name"),
        "conversation_id": call["conversation_id"],
        "start_time_unix_secs": meta.get("start_time_unix_secs"),
        "call_duration_secs": meta.get("call_duration_secs", 0),
        "cost_fiat": meta.get("cost_fiat"),
        "message_count": len(call.get("transcript") or []),
        "status": call.get("status"),
        "termination_reason": meta.get("termination_reason"),
        "call_successful": analysis.get("call_successful", "unknown"),
        "transcript_summary": analysis.get("transcript_summary"),
        "direction": (meta.get("phone_call") or {}).get("direction"),
        "main_language": meta.get("main_language"),
    }
    label = ((analysis.get("data_collection_results") or {}).get("sentiment") or {}).get("value")
    if label:
        score = {"positive": 0.7, "neutral": 0.0, "negative": -0.6}[label]
        summary["sentiment_analysis"] = {
            "overall_label": label, "overall_sentiment_score": score,
            "overall_frustration_score": max(0.0, -score), "min_user_sentiment_score": min(0.0, score),
            "max_user_frustration_score": max(0.0, -score), "num_scored_user_turns": sum(
                1 for t in call.get("transcript") or [] if t.get("role") == "user"),
        }
    return summary

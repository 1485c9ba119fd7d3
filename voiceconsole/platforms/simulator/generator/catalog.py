"""The generator's fixed catalogue: the demo clients and their industries (what they book, charge and get
complaints about), the names, days, times, voices and models that conversations and agents draw from,
platform-shaped id makers, the per-agent traits (`_Profile`, `_traits`) that agent and call generation
both derive from an agent id, and `_AgentSpec`, what each platform's agent renderer is handed.
"""

from __future__ import annotations

import random
import re
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

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
            (
                "Do you take Delta Dental?",
                "Yes, we're in network with Delta Dental, Cigna, Aetna and most other PPO plans.",
                "insurance",
            ),
            (
                "Do you have payment plans?",
                "We do. We offer interest-free plans through CareCredit for treatment over $500.",
                "payment plans",
            ),
            (
                "Is there a new patient special?",
                "Yes, new patients get the exam and x-rays for $79 when paying without insurance.",
                "the new patient special",
            ),
        ),
        support=(
            (
                "sensitivity after a filling",
                "Hi, I had a filling done last week and the tooth is still really sensitive to cold.",
                "It's the lower left side, and it gets worse whenever I drink anything cold.",
                "Some sensitivity for a couple of weeks is normal, but I've asked the doctor's assistant "
                "to call you this afternoon, and I've held a short follow-up slot for you on Thursday.",
            ),
            (
                "an insurance billing question",
                "Hi, I got a bill for my cleaning, but I thought my insurance covered it.",
                "It says I owe $129, and my plan is supposed to cover two cleanings a year.",
                "I can see the claim was denied because of a coding error on our side. I've "
                "sent it back to billing to resubmit, so you don't need to pay that statement.",
            ),
            (
                "a records transfer",
                "Hi, I need my x-rays sent over to an oral surgeon.",
                "It's for Dr. Alvarez at Westside Oral Surgery, and they need them before Friday.",
                "I've put in the request, and our records team will email the "
                "x-rays to Westside Oral Surgery by the end of the day tomorrow.",
            ),
        ),
        complaints=(
            (
                "being charged twice for a cleaning",
                "Yeah, I was charged twice for my cleaning last month "
                "and nobody has fixed it. I want my money back today.",
            ),
            (
                "a long wait followed by a cancelled appointment",
                "I waited forty minutes in your lobby and then got told "
                "the dentist couldn't see me. I want to talk to a manager.",
            ),
        ),
        lead_topic="the new patient special you asked about on our website",
        lead_label="a new patient special inquiry",
        qualify=(
            (
                "Are you looking for a routine cleaning, or is something bothering you?",
                ("Just a routine cleaning, I'm overdue.", "One of my back teeth has been aching."),
            ),
            (
                "Do you have dental insurance?",
                ("Yes, I have Delta Dental through work.", "No, I'd be paying out of pocket."),
            ),
            (
                "Would that be just for you, or for other family members too?",
                ("Just me for now.", "Me and my two kids."),
            ),
            (
                "Do mornings or afternoons work better for you?",
                ("Mornings are better.", "Late afternoons, after work."),
            ),
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
            (
                "the house on Maple Ridge Drive",
                "the asking price is $489,000, for four bedrooms and a finished basement",
            ),
            ("property management", "it's 8 percent of the monthly rent, with no setup fee"),
        ),
        followups=(
            (
                "Is the price negotiable?",
                "The sellers will review all reasonable offers, and the listing agent "
                "can walk you through recent comparable sales.",
                "negotiating the price",
            ),
            (
                "Are there HOA fees?",
                "Yes, the HOA fee is $210 a month and covers landscaping and snow removal.",
                "HOA fees",
            ),
            (
                "Do I need to be pre-approved to see a home?",
                "It isn't required for a showing, but we can connect you with a "
                "lender who can pre-approve you within a day.",
                "pre-approval",
            ),
        ),
        support=(
            (
                "an agent who has not called back about an offer",
                "Hi, I submitted an offer on Tuesday and haven't heard anything from my agent since.",
                "It's for the house on Birch Street, and the seller's deadline is tomorrow.",
                "I've messaged your agent and the team lead and marked it urgent, and "
                "your agent will call you within the hour with an update on the offer.",
            ),
            (
                "listing photos that will not load",
                "Hi, the photos on the Cedar Lane listing won't load on your website.",
                "I've tried two browsers and my phone, and it just shows a gray box.",
                "Thanks for flagging that. I've reported it to our web team, "
                "and I've emailed you the full photo set in the meantime.",
            ),
            (
                "a lockbox code that did not work",
                "Hi, I'm at a showing and the lockbox code you gave me isn't working.",
                "It's the house on Oak Street, and my clients are standing here waiting.",
                "I'm sorry about that. I've reached the listing agent, "
                "and the correct code has just been texted to you.",
            ),
        ),
        complaints=(
            (
                "an agent who missed a scheduled showing",
                "I took time off work for a showing and your agent never "
                "showed up. I want to speak to whoever is in charge.",
            ),
            (
                "a commission higher than agreed",
                "The closing statement shows a higher commission than we agreed to. I want that difference refunded.",
            ),
        ),
        lead_topic="the home valuation you requested on our website",
        lead_label="a home valuation request",
        qualify=(
            (
                "Are you thinking about buying, selling, or both?",
                ("Selling, and then buying something smaller.", "Just buying for now."),
            ),
            ("What's your timeline?", ("Probably in the next three months.", "Not until next spring.")),
            (
                "Have you spoken with a lender or been pre-approved?",
                ("Yes, we're pre-approved up to $550,000.", "Not yet."),
            ),
            (
                "Which neighborhoods are you most interested in?",
                ("Somewhere in the Lakeview school district.", "Downtown, or close to it."),
            ),
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
            (
                "Do you use OEM parts?",
                "We use OEM or OEM-equivalent parts, and every repair comes with a 24-month, 24,000-mile warranty.",
                "parts and warranty",
            ),
            (
                "How long will it take?",
                "Most oil changes take about 45 minutes, and brake jobs are usually done the same day.",
                "turnaround time",
            ),
            (
                "Do you have loaner cars?",
                "We have a free shuttle within five miles, and loaner cars for bigger repairs.",
                "loaner cars",
            ),
        ),
        support=(
            (
                "a check engine light that came back after a repair",
                "Hi, you replaced a sensor on my car last week and the check engine light is back on.",
                "It's a 2017 Honda Accord, and the light came on again this morning on the highway.",
                "That repair is under warranty, so there's no charge. I've booked you in for a "
                "re-check tomorrow at 8 AM, and the service manager will look at it personally.",
            ),
            (
                "squeaking brakes after a brake job",
                "Hi, I had my brakes done on Saturday and now they squeak every time I stop.",
                "It's a 2019 Toyota RAV4, and it's pretty loud at low speed.",
                "New pads sometimes need a small adjustment. It's covered, "
                "and I've booked a quick inspection for you tomorrow morning.",
            ),
            (
                "an unexpected fee on an invoice",
                "Hi, my invoice has a shop supplies fee that nobody told me about.",
                "It's $35 on top of the quote I got.",
                "I've checked, and that fee should have been on your quote. "
                "I've removed it, and a $35 refund is on its way to your card.",
            ),
        ),
        complaints=(
            (
                "a repair that did not fix the problem",
                "I paid you six hundred dollars and my car is making the "
                "exact same noise. I want a refund, not another appointment.",
            ),
            (
                "a car kept two days longer than promised",
                "You had my car for three days when you said one. I had to rent a car. I want a manager.",
            ),
        ),
        lead_topic="the brake service quote you requested online",
        lead_label="a brake service quote request",
        qualify=(
            ("What's the year, make and model of your vehicle?", ("It's a 2016 Ford F-150.", "A 2020 Subaru Outback.")),
            (
                "What's going on with it right now?",
                ("The brakes grind when I stop.", "It's pulling to the left a bit."),
            ),
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
            (
                "a new heat pump",
                "it usually runs between $7,500 and $12,000 installed, depending on the size of the home",
            ),
            ("duct cleaning", "it's $399 for most homes up to 2,500 square feet"),
        ),
        followups=(
            (
                "Do you offer financing?",
                "Yes, we offer zero percent financing for 18 months on approved credit.",
                "financing",
            ),
            (
                "Is there a charge for weekends?",
                "Saturday visits are the same price, and after-hours emergency calls have a $75 surcharge.",
                "weekend rates",
            ),
            (
                "What's included in the Comfort Club?",
                "Two tune-ups a year, priority scheduling and 15 percent off repairs, for $14.99 a month.",
                "the Comfort Club plan",
            ),
        ),
        support=(
            (
                "an AC that stopped cooling again after a repair",
                "Hi, your technician fixed my AC on Monday, but it's blowing warm air again.",
                "The thermostat is set to 70 and it's 81 degrees in the house.",
                "That's covered under our repair warranty. I've scheduled a "
                "technician for tomorrow between 8 and 10 AM at no charge.",
            ),
            (
                "a thermostat that is not responding",
                "Hi, the new thermostat you installed isn't responding at all.",
                "The screen is blank and the heat won't come on.",
                "It sounds like the thermostat lost power. I've booked a technician "
                "for this afternoon, and there's no charge since it's under warranty.",
            ),
            (
                "a missed maintenance visit",
                "Hi, I'm on your Comfort Club plan and nobody has contacted me about my spring tune-up.",
                "I signed up in January and paid for the whole year.",
                "You're right, your spring visit was never scheduled. I've booked it "
                "for next week and added a free filter replacement for the trouble.",
            ),
        ),
        complaints=(
            (
                "a technician who never showed up",
                "I took the whole day off work and your technician "
                "never showed up. Nobody even called. I want a manager.",
            ),
            (
                "an overcharge on a repair",
                "You charged me four hundred dollars to replace a capacitor. That's a rip-off and I want a refund.",
            ),
        ),
        lead_topic="the free estimate you requested for a new AC system",
        lead_label="a new AC system estimate request",
        qualify=(
            ("How old is your current system?", ("It's about fifteen years old.", "Maybe eight or nine years.")),
            ("What's the approximate size of your home?", ("Around 2,000 square feet.", "About 1,400 square feet.")),
            (
                "Are you having any problems with it right now?",
                ("It can't keep up in the afternoons.", "No, it works. I just want something more efficient."),
            ),
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
            (
                "Do you offer payment plans?",
                "Yes, we can split larger invoices into three monthly payments.",
                "payment plans",
            ),
        ),
        support=(
            (
                "a missed callback",
                "Hi, I left a message yesterday and nobody called me back.",
                "I was told someone would call me by the end of the day.",
                "I'm sorry about that. I've flagged your message as urgent, "
                "and the office manager will call you within the hour.",
            ),
        ),
        complaints=(("a billing error", "I was billed for a service I never received, and I want a refund today."),),
        lead_topic="the information you requested on our website",
        lead_label="a website inquiry",
        qualify=(
            (
                "What are you hoping we can help you with?",
                ("I need a quote for a project.", "I'm just comparing options for now."),
            ),
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
    "Maria",
    "James",
    "Linda",
    "Robert",
    "Patricia",
    "Michael",
    "Jennifer",
    "David",
    "Aisha",
    "Carlos",
    "Emily",
    "Kevin",
    "Priya",
    "Tom",
    "Grace",
    "Daniel",
    "Sofia",
    "Marcus",
    "Hannah",
    "Luis",
    "Rachel",
    "Brian",
    "Mei",
    "Andre",
)
_LAST = (
    "Lopez",
    "Johnson",
    "Nguyen",
    "Smith",
    "Patel",
    "Garcia",
    "Brown",
    "Kim",
    "Williams",
    "Martinez",
    "Davis",
    "Chen",
    "Wilson",
    "Anderson",
    "Thomas",
    "Rivera",
    "Clark",
    "Lewis",
    "Walker",
    "Young",
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
    ("vapi", "Elliot"),
    ("vapi", "Clara"),
    ("11labs", "21m00Tcm4TlvDq8ikWAM"),
    ("11labs", "EXAVITQu4vr4xnSDxMaL"),
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
    # What the agent runs on, as its calls report it. Retell: `engine` is "retell-llm", "custom-llm" (its
    # latency gains llm_websocket_network_rtt) or "s2s" (a speech-to-speech model: an s2s stage instead
    # of llm and tts); `knowledge_base` adds a knowledge_base stage. ElevenLabs: `telephony` is the
    # phone_call type ("twilio" or "sip_trunking"). `llm`, `voice` and `transcriber` name the providers
    # in itemised costs (Retell product_costs, Vapi costs[], ElevenLabs charging). The dicts are shared
    # by every call: read-only.
    engine: str = "retell-llm"
    knowledge_base: bool = False
    telephony: str = "twilio"
    llm: dict[str, Any] = field(default_factory=dict)
    voice: dict[str, Any] = field(default_factory=dict)
    transcriber: dict[str, Any] = field(default_factory=dict)


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


def _uses_knowledge_base(agent_id: str) -> bool:
    """A third of Retell agents answer from a knowledge base (their Retell LLM has knowledge_base_ids)."""
    return zlib.crc32(f"kb|{agent_id}".encode()) % 3 == 0


def _sip_trunked(agent_id: str) -> bool:
    """A quarter of ElevenLabs agents' numbers come over a SIP trunk rather than Twilio."""
    return zlib.crc32(f"sip|{agent_id}".encode()) % 4 == 0


def _retell_engine(agent: dict[str, Any]) -> str:
    if ((agent.get("response_engine") or {}).get("type")) == "custom-llm":
        return "custom-llm"
    return "s2s" if (agent.get("_llm") or {}).get("s2s_model") else "retell-llm"


def _vapi_stack(agent: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The Vapi assistant's model, voice and transcriber as costs[] items name them."""
    model = agent.get("model") or {}
    voice = agent.get("voice") or {}
    transcriber = agent.get("transcriber") or {}
    return {
        "llm": {"provider": model.get("provider", "openai"), "model": model.get("model", "gpt-4o")},
        "voice": {"provider": voice.get("provider", "vapi"), "voiceId": voice.get("voiceId", "Elliot")},
        "transcriber": {
            "provider": transcriber.get("provider", "deepgram"),
            "model": transcriber.get("model", "nova-3"),
        },
    }


def _profile(platform: str, agent: dict[str, Any]) -> _Profile:
    extra: dict[str, Any] = {}
    if platform == "retell":
        agent_id, name, prompt = agent["agent_id"], agent.get("agent_name"), agent.get("_prompt", "")
        extra = {
            "engine": _retell_engine(agent),
            "knowledge_base": _uses_knowledge_base(agent_id),
            "llm": {"model": (agent.get("_llm") or {}).get("model") or "gpt-4.1"},
            "voice": {"voice_id": agent.get("voice_id") or "retell-Cimo"},
        }
    elif platform == "vapi":
        agent_id, name = agent["id"], agent.get("name")
        messages = (agent.get("model") or {}).get("messages") or []
        prompt = next((m.get("content", "") for m in messages if m.get("role") == "system"), "")
        extra = _vapi_stack(agent)
    else:
        agent_id, name = agent["agent_id"], agent.get("name")
        agent_config = (agent.get("conversation_config") or {}).get("agent") or {}
        prompt = agent_config.get("prompt", {}).get("prompt", "")
        extra = {
            "telephony": "sip_trunking" if _sip_trunked(agent_id) else "twilio",
            "llm": {"model": agent_config.get("prompt", {}).get("llm") or "gpt-4o-mini"},
        }
    name = name or agent_id
    business = agent.get("_client") or name.split(" – ")[0]
    persona, number, pn_id, rate = _traits(platform, agent_id)
    plan = (agent.get("analysisPlan") or {}).get("successEvaluationPlan") or {}
    return _Profile(
        agent_id=agent_id,
        name=name,
        business=business,
        industry=_INDUSTRIES[_client_industry(business, name)],
        persona=persona,
        number=number,
        phone_number_id=pn_id,
        rate=rate,
        version=1 if agent.get("version") is None else int(agent["version"]),  # Retell counts from 0
        org_id=agent.get("orgId"),
        rubric=plan.get("rubric", "PassFail"),
        prompt=prompt,
        directions=_directions(name),
        **extra,
    )


# --------------------------------------------------------------------------------------------------
# Agent specs: what generate_agents hands each platform's agent renderer
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

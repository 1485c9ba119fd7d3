"""Did the person called ask not to be called again? Read from what they said, as outcome.py reads outcomes.

A request is a phrase such as "don't call me again", "stop calling", "take me off your list" or "put me on
the do-not-call list", said by the caller (never the agent). "Don't call me" counts only as a whole request:
followed by the end of the sentence, "again", "anymore", "ever", or a courtesy ("please", "thanks"), and not
by a time or a way to call instead ("don't call me before 5", "don't call me on my cell"). A request the
speaker denies or asks about ("you don't have to stop calling", "did you take me off your list?") is not one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_END = r"(?=\s*(?:[.!?,;]|$|(?:and|so|ok|okay|please|thanks?|thank you|ever|bye|goodbye)\b))"
_ME = r"(?:me|us|this number|my number|here|this line|my (?:cell|phone|mobile|house))"
_AGAIN = r"(?:\s+(?:ever\s+)?(?:again|anymore|any more|ever again|back))?"
_DONT = r"(?:don't|do not|dont|never|do not ever|don't ever|never ever)"

REQUESTS = [
    re.compile(rf"\b{_DONT}\s+(?:\w+\s+)?(?:call|phone|ring|contact)\s+{_ME}{_AGAIN}{_END}"),
    re.compile(r"\b(?:stop|quit|cease)\s+(?:calling|phoning|ringing|contacting|bothering)\b"),
    re.compile(
        r"\b(?:take|remove|delete|erase|drop|scratch|cross)\s+(?:me|us|my (?:name|number|phone number|details|info))"
        r"\s+(?:off|from|out of)\s+(?:of\s+)?(?:your|the|this|all (?:of )?your)\s+(?:\w+\s+){0,2}"
        r"(?:list|lists|database|system|records)\b"
    ),
    re.compile(
        r"\b(?:put|add|place|register)\s+(?:me|us|my number)\s+(?:on|to|in)\s+(?:your|the)\s+do[- ]?not[- ]?call"
    ),
    re.compile(r"\bdo[- ]?not[- ]?call (?:list|me|registry)\b(?!\?)"),
    re.compile(r"\b(?:lose|forget|delete|remove) (?:my|this) (?:number|phone number)\b"),
    re.compile(
        r"\bi (?:don't|do not) want (?:to be called|(?:any|anymore|any more|more|these|your) (?:\w+ )?calls|"
        r"you (?:to )?(?:call|calling)|to (?:get|receive|hear from you)|to be contacted)\b"
        r"(?!\s+(?:before|after|until|at|on))"
    ),
    re.compile(r"\b(?:never|don't ever|do not ever) (?:call|phone|contact)\b"),
    re.compile(r"\bunsubscribe me\b"),
]
# The request denied, reported or asked about: the words just before a match that undo it.
_UNDONE_BEFORE = re.compile(
    r"(?:\b(?:don't|do not|no need to|not|didn't|did not|never said|won't|wouldn't) (?:have to |need to |ask(?:ed)? "
    r"(?:you )?to |want you to |say |tell you to )?|\b(?:did|have|why did|why didn't) you |"
    r"\b(?:if|whether|why) (?:you |i )?(?:\w+ )?|\b(?:told|asked) (?:me|him|her|them|us) to |"
    r"\bam i on |\bwhat(?:'s| is) (?:a |the )?)$"
)
# A time or another way to reach them right after: a scheduling wish, not a refusal.
_QUALIFIED_AFTER = re.compile(
    r"^\s*(?:before|after|until|till|til|during|at|on|in|today|tonight|tomorrow|next|between|"
    r"in the|early|late|at work|while)\b"
)


def _sentences(text: str) -> list[str]:
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]


def _request_in(sentence: str) -> str | None:
    """The first request said in the sentence (by position), if any."""
    found: list[tuple[int, str]] = []
    for pattern in REQUESTS:
        for match in pattern.finditer(sentence):
            before = sentence[: match.start()].rstrip()
            before = before + " " if before else ""
            after = sentence[match.end() :]
            if _UNDONE_BEFORE.search(before[-40:]):
                continue
            if pattern is not REQUESTS[0] and _QUALIFIED_AFTER.match(after):
                continue
            if after.lstrip().startswith("?") and not match.group(0).startswith(("take", "remove")):
                continue  # a question about it ("a do-not-call list?"), not a request
            found.append((match.start(), match.group(0)))
            break
    return min(found)[1] if found else None


def asks_not_to_be_called(caller_turns: Iterable[str]) -> str | None:
    """The caller's words asking not to be called again (the phrase found), or None. `caller_turns`: what the
    person called said, turn by turn (not the agent)."""
    for turn in caller_turns:
        for sentence in _sentences(turn or ""):
            found = _request_in(sentence)
            if found:
                return found
    return None

"""Phone numbers, email addresses and time zones of leads: what is accepted and how it is stored.

Numbers are stored in E.164 (`+14155552671`). A number written without its country code (`(415) 555-2671`)
is read in the organization's default region (`Organization.settings["default_region"]`, an ISO 3166
two-letter code, "US" unless set). A lead's time zone, when not given, is the first zone `phonenumbers`
knows for the number (the area code's for North American numbers; none for numbers it cannot place).
"""

from __future__ import annotations

import re
from functools import lru_cache
from zoneinfo import available_timezones

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES, DOT_ATOM_TEXT, EMAIL_MAX_LENGTH
from phonenumbers import timezone as phone_timezones
from phonenumbers.tzdata import TIMEZONE_LONGEST_PREFIX

from voiceconsole.models import Organization

DEFAULT_REGION = "US"
INVALID_PHONE = "Invalid phone number format"
# The published docs' wording (their error example is a lead's phone/email validation).
INVALID_EMAIL = "Must be a valid email address"
UNKNOWN_TIMEZONE = "Unknown time zone"
_REGION = re.compile(r"^[A-Z]{2}$")
_MAX_PHONE_INPUT = 40  # "+1 (415) 555-2671 ext. 1234" fits; longer is not a phone number
_PLAIN_HOST = re.compile(r"[A-Za-z0-9.-]+\Z")
_MAILBOX_NAMES = frozenset(CASE_INSENSITIVE_MAILBOX_NAMES)


class InvalidValue(ValueError):
    """A value refused, with the message a person reads."""


def default_region(org: Organization) -> str:
    region = str((org.settings or {}).get("default_region") or DEFAULT_REGION).upper()
    return region if _REGION.match(region) else DEFAULT_REGION


def parse_phone(raw: str, region: str = DEFAULT_REGION) -> str:
    """The number in E.164, or InvalidValue. National formats are read in `region`."""
    return _parse(raw, region)[0]


def parse_phone_and_zone(raw: str, region: str = DEFAULT_REGION) -> tuple[str, str | None]:
    """The number in E.164 and its time zone (see `timezone_of`), parsing it once."""
    e164, number = _parse(raw, region)
    return e164, _zone_of(e164, number)


def _parse(raw: str, region: str) -> tuple[str, phonenumbers.PhoneNumber]:
    text = (raw or "").strip()
    if not text or len(text) > _MAX_PHONE_INPUT:
        raise InvalidValue(INVALID_PHONE)
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise InvalidValue(INVALID_PHONE) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidValue(INVALID_PHONE)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), number


def timezone_of(e164: str) -> str | None:
    """The first IANA zone of the number's area, or None when the number's zone is unknown."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return None
    return _zone_of(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), number)


# phonenumbers finds a number's zones by the longest of its leading digits (country code first, at most
# TIMEZONE_LONGEST_PREFIX of them) found in its table: numbers sharing those digits share their zone, so an
# import of nearby numbers looks each prefix up once.
_ZONE_BY_PREFIX: dict[str, str | None] = {}
_MAX_CACHED_PREFIXES = 4096  # then it starts again: a bound on memory for numbers spread far apart


def _zone_of(e164: str, number: phonenumbers.PhoneNumber) -> str | None:
    prefix = e164[1 : 1 + TIMEZONE_LONGEST_PREFIX]
    try:
        return _ZONE_BY_PREFIX[prefix]
    except KeyError:
        pass
    # The prefix lookup alone: the number was validated already, so phonenumbers' own check of its type
    # (which `time_zones_for_number` repeats, and which costs as much as parsing) is not needed.
    zones = phone_timezones.time_zones_for_geographical_number(number)
    zone = zones[0] if zones else None
    zone = zone if zone and zone in _zones() else None
    if len(_ZONE_BY_PREFIX) >= _MAX_CACHED_PREFIXES:
        _ZONE_BY_PREFIX.clear()
    _ZONE_BY_PREFIX[prefix] = zone
    return zone


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def check_timezone(raw: str) -> str:
    """An IANA zone name as given (`Europe/Paris`), or InvalidValue."""
    name = (raw or "").strip()
    if name not in _zones():
        raise InvalidValue(UNKNOWN_TIMEZONE)
    return name


def check_email(raw: str) -> str:
    """The address normalized (domain lower-cased), syntax only: no DNS lookups."""
    text = (raw or "").strip()
    if not text or len(text) > 320:
        raise InvalidValue(INVALID_EMAIL)
    local, at, domain = text.rpartition("@")
    if (
        at
        and len(text) <= EMAIL_MAX_LENGTH
        and DOT_ATOM_TEXT.match(local)
        and local.lower() not in _MAILBOX_NAMES
        and _PLAIN_HOST.match(domain)
    ):
        # The usual address: an ASCII dot-atom before the @ (which email-validator keeps as it is, whole
        # address under its length limit) and a host name after it, which the library checks once per
        # domain. Every other address goes through the library whole.
        host = _email_domain(domain)
        if host is not None:
            return f"{local}@{host}"
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError:
        raise InvalidValue(INVALID_EMAIL) from None


@lru_cache(maxsize=4096)
def _email_domain(domain: str) -> str | None:
    """The domain as email-validator normalizes it, or None when the library refuses it or makes it
    non-ASCII (an `xn--` name: lengths then count differently, so the address is checked whole)."""
    try:
        host = validate_email(f"a@{domain}", check_deliverability=False).domain
    except EmailNotValidError:
        return None
    return host if host.isascii() and len(host) == len(domain) else None

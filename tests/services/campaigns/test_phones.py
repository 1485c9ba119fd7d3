"""What a lead's phone, email and time zone may be, and how they are stored."""

from __future__ import annotations

import pytest

from voiceconsole.models import Organization
from voiceconsole.services.campaigns import phones
from voiceconsole.services.campaigns.leads import clean_lead

PHONES = [
    # (as written, the organization's region, stored as)
    ("+14155552671", "US", "+14155552671"),
    ("(415) 555-2671", "US", "+14155552671"),
    ("415.555.2671", "US", "+14155552671"),
    ("1-415-555-2671", "US", "+14155552671"),
    ("  +1 415 555 2671  ", "US", "+14155552671"),
    ("020 7946 0018", "GB", "+442079460018"),
    ("+44 20 7946 0018", "US", "+442079460018"),  # international format: whatever the region
    ("06 12 34 56 78", "FR", "+33612345678"),
    ("03-1234-5678", "JP", "+81312345678"),
    ("0044 20 7946 0018", "FR", "+442079460018"),  # the region's international prefix
]
JUNK = ["", "   ", "hello", "12", "555-2671", "+1 415 555 26711111", "020 7946 0018", "+99 123 456", "1" * 41, "+"]


@pytest.mark.parametrize("raw,region,e164", PHONES)
def test_numbers_are_stored_in_e164(raw, region, e164):
    assert phones.parse_phone(raw, region) == e164


@pytest.mark.parametrize("raw", JUNK)
def test_what_is_not_a_phone_number(raw):
    # "020 7946 0018" is a British number read in the US region: no country code, so not a valid number.
    with pytest.raises(phones.InvalidValue, match=r"^Invalid phone number format$"):
        phones.parse_phone(raw, "US")


@pytest.mark.parametrize(
    "e164,zone",
    [
        ("+14155552671", "America/Los_Angeles"),
        ("+12125550123", "America/New_York"),
        ("+13125550123", "America/Chicago"),
        ("+442079460018", "Europe/London"),
        ("+33612345678", "Europe/Paris"),
        ("+81312345678", "Asia/Tokyo"),
        ("+61291234567", "Australia/Sydney"),
    ],
)
def test_the_time_zone_comes_from_the_number(e164, zone):
    assert phones.timezone_of(e164) == zone


@pytest.mark.parametrize("zone", ["Europe/Paris", "America/Argentina/Buenos_Aires", "UTC", "Asia/Kolkata"])
def test_iana_zones_are_accepted(zone):
    assert phones.check_timezone(zone) == zone


@pytest.mark.parametrize("zone", ["Paris", "PST", "Europe/Pariss", "europe/paris", "+02:00", ""])
def test_other_zones_are_refused(zone):
    with pytest.raises(phones.InvalidValue, match=r"^Unknown time zone$"):
        phones.check_timezone(zone)


@pytest.mark.parametrize(
    "raw,stored",
    [
        ("ada@example.com", "ada@example.com"),
        ("Ada.L@Example.COM", "Ada.L@example.com"),
        ("a+b@sub.example.co.uk", None),
    ],
)
def test_emails_are_checked_offline(raw, stored):
    assert phones.check_email(raw) == (stored or raw)


@pytest.mark.parametrize("raw", ["ada", "ada@", "@example.com", "ada@@example.com", "ada example@x.com", "a@b"])
def test_what_is_not_an_email(raw):
    with pytest.raises(phones.InvalidValue, match=r"^Must be a valid email address$"):
        phones.check_email(raw)


def test_the_default_region_is_the_organizations_else_us():
    assert phones.default_region(Organization(slug="a", name="A", settings={})) == "US"
    assert phones.default_region(Organization(slug="a", name="A", settings={"default_region": "gb"})) == "GB"
    assert phones.default_region(Organization(slug="a", name="A", settings={"default_region": "nowhere"})) == "US"


def test_clean_lead_names_every_field_at_fault_and_derives_the_zone():
    bad = clean_lead({"phone": "nope", "email": "nope", "timezone": "Mars/Olympus"}, region="US")
    assert bad.errors == [
        {"field": "phone", "message": "Invalid phone number format"},
        {"field": "email", "message": "Must be a valid email address"},
        {"field": "timezone", "message": "Unknown time zone"},
    ]
    good = clean_lead({"phone": "(212) 555-0123", "tags": "VIP, spring;vip"}, region="US")
    assert good.errors == [] and good.values["phone"] == "+12125550123"
    assert good.values["timezone"] == "America/New_York" and good.tags == ["vip", "spring"]
    given = clean_lead({"phone": "+12125550123", "timezone": "Europe/Paris"}, region="US")
    assert given.values["timezone"] == "Europe/Paris"


# Addresses the quick path takes (a plain local part, a host name) and addresses it hands to email-validator
# whole: both must answer what the library alone answers.
EMAILS = [
    "ada@example.com",
    "Ada.L@Example.COM",
    "a+b@sub.example.co.uk",
    "o'brien@example.ie",
    "a!#$%&'*+/=?^_`{|}~-@example.com",
    "Postmaster@Example.com",  # a mailbox name the library lower-cases
    "SALES@example.com",
    "a@localhost",
    "a@mail.test",
    "a@printer.local",
    "a@example.invalid",
    "a@xn--bcher-kva.example",  # an IDNA host: the library shows it in Unicode
    "a@bücher.example",
    "é@example.com",
    "a@b",
    "a@b.c",
    "a@-x.com",
    "a@x-.com",
    "a@x..com",
    "a..b@x.com",
    ".a@x.com",
    "a.@x.com",
    "a@x.com.",
    "a@.x.com",
    "a@123.com",
    "a@x.123",
    "a@x_y.com",
    "x" * 64 + "@example.com",
    "x" * 65 + "@example.com",  # a long local part: allowed unless strict
    "a@" + "b" * 63 + ".com",
    "a@" + "b" * 64 + ".com",  # a label over 63 characters
    "x" * 64 + "@" + ("b" * 60 + ".") * 3 + "com",  # 254 characters
    "x" * 64 + "@" + ("b" * 60 + ".") * 3 + "coma",  # 255: too long
    '"a b"@example.com',
    "a@[192.0.2.1]",
    "Ada <ada@example.com>",
    "ada@example.com>",
    "ada@exa mple.com",
]


@pytest.mark.parametrize("raw", EMAILS)
def test_emails_are_checked_as_email_validator_checks_them(raw):
    from email_validator import EmailNotValidError, validate_email

    try:
        expected = validate_email(raw, check_deliverability=False).normalized
    except EmailNotValidError:
        expected = None
    try:
        got = phones.check_email(raw)
    except phones.InvalidValue:
        got = None
    assert got == expected


def test_zones_looked_up_once_per_prefix_are_the_numbers_own():
    numbers = ["+12125550123", "+12125550199", "+13125550123", "+442079460018", "+81312345678", "+12125550123"]
    first = [phones.timezone_of(n) for n in numbers]
    assert first == [phones.timezone_of(n) for n in numbers]  # from the cache now
    assert first[:5] == ["America/New_York", "America/New_York", "America/Chicago", "Europe/London", "Asia/Tokyo"]
    assert phones.parse_phone_and_zone("(212) 555-0123") == ("+12125550123", "America/New_York")

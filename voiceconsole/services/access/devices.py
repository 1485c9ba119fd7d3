"""A User-Agent header in words ("Firefox on macOS"), for the session list and the audit log.

Deliberately simple: the browser family and the operating system, nothing version-specific. Order matters,
because most browsers claim to be several others (Edge says Chrome and Safari, Chrome says Safari)."""

from __future__ import annotations

import re

_BROWSERS = (
    ("Edge", re.compile(r"\bEdg(e|A|iOS)?/")),
    ("Opera", re.compile(r"\b(OPR|Opera)/")),
    ("Samsung Internet", re.compile(r"\bSamsungBrowser/")),
    ("Firefox", re.compile(r"\b(Firefox|FxiOS)/")),
    ("Chrome", re.compile(r"\b(HeadlessChrome|Chrome|Chromium|CriOS)/")),
    ("Safari", re.compile(r"\bVersion/[\d.]+.*\bSafari/")),
    ("curl", re.compile(r"^curl/")),
    ("Python", re.compile(r"^(python-httpx|python-requests|Python-urllib)/")),
)
_SYSTEMS = (
    ("iPadOS", re.compile(r"\biPad\b")),
    ("iOS", re.compile(r"\b(iPhone|iPod)\b")),
    ("Android", re.compile(r"\bAndroid\b")),
    ("ChromeOS", re.compile(r"\bCrOS\b")),
    ("Windows", re.compile(r"\bWindows\b")),
    ("macOS", re.compile(r"\bMac OS X\b|\bMacintosh\b")),
    ("Linux", re.compile(r"\bLinux\b")),
)


def describe_device(user_agent: str | None) -> str:
    """ "Chrome on Windows", "Safari on iOS", "curl"; "Unknown device" when there is nothing to go on."""
    ua = (user_agent or "").strip()
    if not ua:
        return "Unknown device"
    browser = next((name for name, pattern in _BROWSERS if pattern.search(ua)), None)
    system = next((name for name, pattern in _SYSTEMS if pattern.search(ua)), None)
    if browser and system:
        return f"{browser} on {system}"
    if browser or system:
        return browser or f"Browser on {system}"
    return ua.split("/", 1)[0][:40] or "Unknown device"

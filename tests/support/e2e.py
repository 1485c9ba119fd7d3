"""What the browser tests (tests/e2e) share besides their fixtures: where screenshots go, and the
patterns of a magic link and an API key in the app's output."""

from __future__ import annotations

import re
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[1] / "e2e" / "artifacts"
LINK_RE = re.compile(r"https?://\S+/api/auth/magic\?token=[\w\-]+")
KEY_RE = re.compile(r"\bviq_[A-Za-z0-9]+")

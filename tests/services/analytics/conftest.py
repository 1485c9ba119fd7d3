"""Fixtures of the analytics service tests (their helpers: tests/support/rollups.py)."""

from __future__ import annotations

import random

import pytest


@pytest.fixture
def rng():
    return random.Random(20261125)

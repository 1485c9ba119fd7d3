"""Settings read from the environment: values an operator can get wrong are refused at start, by name."""

from __future__ import annotations

from decimal import Decimal

import pytest

from voiceconsole.settings import load_settings


def test_the_elevenlabs_credit_rate_is_optional_and_exact():
    assert load_settings({}).elevenlabs_usd_per_credit is None
    assert load_settings({"VOICECONSOLE_ELEVENLABS_USD_PER_CREDIT": " "}).elevenlabs_usd_per_credit is None
    rate = load_settings({"VOICECONSOLE_ELEVENLABS_USD_PER_CREDIT": "0.00012"}).elevenlabs_usd_per_credit
    assert rate == Decimal("0.00012")  # a Decimal: credits × rate is exact money


@pytest.mark.parametrize("value", ["abc", "0", "-0.1", "NaN", "Infinity"])
def test_a_credit_rate_that_is_no_price_is_refused_by_name(value):
    with pytest.raises(ValueError, match="VOICECONSOLE_ELEVENLABS_USD_PER_CREDIT"):
        load_settings({"VOICECONSOLE_ELEVENLABS_USD_PER_CREDIT": value})

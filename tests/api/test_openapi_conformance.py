"""The API against its own OpenAPI document (schemathesis, in-process): every operation, a fixed example
budget, authenticated with an Agency key whose rate limit cannot end the run.

Must hold: no server error (5xx) for any generated input; every status answered is declared for the
operation; every response matches its declared content type and schema; a request that violates the
schema is refused. Not checked: that every schema-valid request is accepted. Some rules the API applies
cannot be written in a schema (minScore ≤ maxScore, a webhook URL that resolves to a public host,
weights that add up to 100), so those requests are refused with a 422 naming the field, as they should be.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from limits import parse
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support.http import bearer
from voiceconsole.api.main import api
from voiceconsole.services.api_keys import rate_limits

EXAMPLES_PER_OPERATION = 25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]

schema = schemathesis.openapi.from_asgi("/api/openapi.json", api)


@pytest.fixture(scope="module")
def fuzz_key():
    from sqlmodel import Session

    from tests.support.factory import Factory
    from voiceconsole.db import get_engine

    with Session(get_engine(), expire_on_commit=False) as session:
        factory = Factory(session)
        return factory.api_key(factory.org(plan="agency"))


@pytest.fixture(autouse=True)
def unlimited_agency(monkeypatch):
    """The run makes thousands of requests in a minute: lift the Agency limits for it alone."""
    monkeypatch.setitem(rate_limits.PLAN_LIMITS, "agency", (parse("1000000/minute"), parse("100000/second")))


@pytest.fixture(autouse=True)
def platforms_refuse_every_key(monkeypatch):
    """Connecting an integration asks its platform whether it accepts the key: here no request leaves the
    machine, and every platform refuses the generated keys (422 naming `apiKey`). Its 503, when a platform
    cannot be asked, is tested in tests/api/test_integrations_api.py."""
    from voiceconsole.platforms.connector import PlatformAuthError
    from voiceconsole.services.integrations import key_check

    class Refusing:
        def __init__(self, platform: str, *_args, **_kwargs):
            self.platform = platform

        def __enter__(self):
            return self

        def __exit__(self, *_exc):
            return None

        def check_key(self) -> None:
            raise PlatformAuthError(f"{self.platform} refused the key", status_code=401)

    monkeypatch.setattr(key_check, "make_connector", Refusing)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,  # the same examples on every run: a failure here is reproducible
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_conforms_to_the_document(case, fuzz_key):
    case.call_and_validate(headers=bearer(fuzz_key), checks=CHECKS)

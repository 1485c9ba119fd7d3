"""Every intake test runs with the settings of a developer working against the simulator (private
targets allowed, tiny retry waits, small pages) and queues holding only its own jobs."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def simulator_environment(integration_settings, no_jobs_left_behind):
    """The root conftest's `integration_settings` and `no_jobs_left_behind`, for every test here."""

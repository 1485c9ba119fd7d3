"""Domain errors, translated to HTTP by the API and to messages by the UI."""

from __future__ import annotations


class DomainError(Exception):
    status_code = 400
    headers: dict[str, str] | None = None  # e.g. Retry-After on a 502/503

    def __init__(self, message: str, details: list[dict[str, str]] | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or []


class NotFound(DomainError):
    """Also used for other organizations' resources: never reveal that they exist."""

    status_code = 404


class Forbidden(DomainError):
    status_code = 403


class Conflict(DomainError):
    status_code = 409


class ValidationFailed(DomainError):
    status_code = 422

    @classmethod
    def field(cls, name: str, message: str) -> ValidationFailed:
        return cls("Validation failed", [{"field": name, "message": message}])


class InvalidToken(DomainError):
    status_code = 401


class PlanLimitReached(DomainError):
    """Over one of the plan's limits (agents, seats): 403 with the limit and the plan that lifts it."""

    status_code = 403

    def __init__(self, field: str, message: str):
        super().__init__("Plan limit reached", [{"field": field, "message": message}])


class PlatformUnavailable(DomainError):
    """A platform did not answer a write the user is waiting for (the Agent Builder): 502, retry later."""

    status_code = 502
    headers = {"Retry-After": "30"}

    def __init__(self, platform: str, detail: str = "Unreachable; try again shortly"):
        super().__init__(f"{platform.capitalize()} is unavailable", [{"field": "platform", "message": detail}])

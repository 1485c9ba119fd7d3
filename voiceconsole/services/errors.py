"""Domain errors, translated to HTTP by the API and to messages by the UI."""

from __future__ import annotations


class DomainError(Exception):
    status_code = 400

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

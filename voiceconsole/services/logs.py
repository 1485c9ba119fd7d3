"""Logging for operators: every record redacted, JSON lines when configured, each with its request or job id.

- Redaction happens where every record is made (`logging.setLogRecordFactory`), not in one handler: a record
  reaches Reflex's, granian's, uvicorn's, RQ's or a test's handlers with its message already masked, whatever
  formats it. Masked: our API keys (`viq_…`), webhook secrets (`whsec_…`), Stripe keys (`sk_…`, `rk_…`),
  bearer credentials, the `Authorization`, `Cookie` and `Set-Cookie` headers, the session cookie,
  and any value named like a secret (`token=…`, `"apiKey": "…"`, `password=…`), as in a magic link's URL.
  A traceback is formatted and masked when its record is made.
- `VOICECONSOLE_LOG_FORMAT=json`: one JSON object a line on stderr (`ts`, `level`, `logger`, `msg`, and
  `request_id` or `job_id`, `exc` when there is one). Plain stdlib: a twenty-line formatter needs no library.
- The request id comes from the API's middleware (an incoming `X-Request-ID`, else a new one), the job id
  from the worker, through context variables: a record made anywhere while that request or job runs
  carries it (Starlette's thread pool copies the context into its threads).
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

request_id: ContextVar[str | None] = ContextVar("voiceconsole_request_id", default=None)
job_id: ContextVar[str | None] = ContextVar("voiceconsole_job_id", default=None)

MASK = "***"
_SECRET_NAME = r"[A-Za-z0-9_.-]*(?:token|secret|password|passwd|api[_-]?key|apikey|session|signature)[A-Za-z0-9_.-]*"
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Headers, as `Name: value` lines or in a dict/JSON (`'authorization': 'Bearer …'`): the whole value.
    (
        re.compile(r"""(?i)\b((?:proxy-)?authorization|cookie|set-cookie|x-api-key)(["']?\s*[:=]\s*["']?)[^"'\r\n]+"""),
        rf"\1\2{MASK}",
    ),
    (re.compile(r"(?i)\b(bearer)(\s+)[A-Za-z0-9._~+/=-]{6,}"), rf"\1\2{MASK}"),
    # Secrets with a recognisable prefix, wherever they appear.
    (re.compile(r"\b(viq_|whsec_)[A-Za-z0-9+/=_-]{6,}"), rf"\1{MASK}"),
    (re.compile(r"\b((?:sk|rk)_(?:live|test)_)[A-Za-z0-9]{6,}"), rf"\1{MASK}"),
    # A value named like a secret: query strings, form bodies, cookies (`token=…`, `cp_session=…`) …
    (re.compile(rf"(?i)\b({_SECRET_NAME})=[^&\s\"';,]+"), rf"\1={MASK}"),
    # … and JSON or Python mappings (`"webhookSecret": "…"`, `'api_key': '…'`).
    (re.compile(rf"""(?i)(["']{_SECRET_NAME}["']\s*:\s*["'])[^"']+"""), rf"\1{MASK}"),
)


def redact(text: str) -> str:
    """`text` with every secret this module recognises masked."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


_make_record: Callable[..., logging.LogRecord] | None = None


def _redacted_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
    assert _make_record is not None
    record = _make_record(*args, **kwargs)
    try:
        message = record.getMessage()  # with its arguments: they can hold secrets too
        masked = redact(message)
        if masked != message:
            if record.name == "uvicorn.access" and isinstance(record.args, tuple):
                # uvicorn's access formatter reads its five arguments: mask each (the path is one of them).
                record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
            else:
                record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
    except Exception:  # noqa: BLE001 (a message that cannot be formatted: logging reports it as it always did)
        pass
    # Names of our own: a caller's `extra={"job_id": …}` (RQ passes one) must not collide with them.
    record.vc_request_id = request_id.get()
    record.vc_job_id = job_id.get()
    return record


def install_redaction() -> None:
    """Mask secrets in every log record of this process from now on (idempotent)."""
    global _make_record
    if _make_record is None:
        _make_record = logging.getLogRecordFactory()
        logging.setLogRecordFactory(_redacted_record)


class JsonFormatter(logging.Formatter):
    """One JSON object per record."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key in ("request_id", "job_id"):
            if value := getattr(record, f"vc_{key}", None) or getattr(record, key, None):
                entry[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        # A record made before redaction was installed (or by a library's own factory) is masked here.
        return redact(json.dumps(entry, ensure_ascii=False, default=str))


# Servers' loggers that carry handlers of their own (they do not propagate to the root logger).
SERVER_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "granian", "granian.access", "_granian", "rq.worker")


def configure_logging(*, log_format: str, level: str) -> None:
    """Redaction always; with `log_format == "json"`, JSON lines on stderr at `level` for the root logger and
    JSON on the handlers of the servers' own loggers."""
    install_redaction()
    if log_format != "json":
        return
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_voiceconsole", False) or type(handler) is logging.StreamHandler:
            root.removeHandler(handler)  # ours from before, or basicConfig's text handler
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler._voiceconsole = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in SERVER_LOGGERS:
        for server_handler in logging.getLogger(name).handlers:
            server_handler.setFormatter(JsonFormatter())


@contextmanager
def job_context(job: str) -> Iterator[None]:
    """Records made inside carry `job_id`."""
    token = job_id.set(job)
    try:
        yield
    finally:
        job_id.reset(token)

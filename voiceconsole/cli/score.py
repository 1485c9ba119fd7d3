"""`voiceconsole score FILE --platform retell|vapi|elevenlabs`: score calls given in a platform's JSON.

FILE (or "-" for standard input) holds one call in the platform's own shape (a get-call object, or
the webhook body that carries one), a JSON array of them, or JSON Lines. For each call one JSON
line is printed: the same scorer and default weights as the product, no database, no network.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import Any, TextIO

from voiceconsole.platforms import elevenlabs, retell, vapi
from voiceconsole.scoring.scorer import ScoringInput, score_call, voice_metrics

MAPPERS = {"retell": retell, "vapi": vapi, "elevenlabs": elevenlabs}  # each platform's map_call
PLATFORMS = tuple(MAPPERS)
EXIT_OK = 0
EXIT_BAD_CALL = 1  # some call could not be read or mapped (the others are still printed)
EXIT_USAGE = 2  # unknown platform, unreadable file, or no JSON at all


class _InputError(Exception):
    pass


class _BadLine:
    """A JSON Lines line that is not JSON: reported, and the other lines still scored."""

    def __init__(self, message: str):
        self.message = message


def score_file(path: str, platform: str, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Score every call in `path` and print one JSON line per call to `out` (default stdout).

    Errors go to `err` (default stderr) as "error: …" lines. Returns 0 when every call was scored,
    1 when some call could not be parsed or mapped, 2 when nothing could be read.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    if platform not in PLATFORMS:
        print(f"error: unknown platform {platform!r}; expected one of {', '.join(PLATFORMS)}", file=err)
        return EXIT_USAGE
    mapper = MAPPERS[platform]
    try:
        text = _read(path)
    except OSError as exc:
        print(f"error: cannot read {path}: {exc.strerror or exc}", file=err)
        return EXIT_USAGE
    except UnicodeDecodeError as exc:
        print(f"error: {path} is not UTF-8 text ({exc.reason} at byte {exc.start})", file=err)
        return EXIT_USAGE
    code = EXIT_OK
    scored = 0
    name = "standard input" if path == "-" else path
    try:
        for where, raw in _payloads(text, name):
            if isinstance(raw, _BadLine):
                print(f"error: {where} is not valid JSON: {raw.message}", file=err)
                code = EXIT_BAD_CALL
                continue
            try:
                record = mapper.map_call(_unwrap(platform, raw))
            except Exception as exc:  # noqa: BLE001 — any malformed call; the mapper's own message says what is missing
                print(f"error: {where}: not a valid {platform} call: {exc}", file=err)
                code = EXIT_BAD_CALL
                continue
            result = score_call(ScoringInput.from_record(record))
            line = {
                "platformCallId": record.platform_call_id,
                "status": record.status,
                "score": result.score,
                "range": result.range_label,
                "noTranscript": result.no_transcript,
                "breakdown": result.breakdown,
                "voiceMetrics": _camel(voice_metrics(result.features)),
            }
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
            scored += 1
    except _InputError as exc:
        print(f"error: {exc}", file=err)
        return EXIT_USAGE
    if scored == 0 and code == EXIT_OK:
        print(f"error: {name} holds no calls", file=err)
        return EXIT_USAGE
    return code


def _read(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    with open(path, encoding="utf-8-sig") as fh:
        return fh.read()


def _payloads(text: str, path: str) -> Iterator[tuple[str, Any]]:
    """(where, payload) for a JSON document (object or array) or JSON Lines."""
    stripped = text.strip()
    if not stripped:
        return
    try:
        doc = json.loads(stripped)
    except json.JSONDecodeError as whole_error:
        lines = [(i, ln) for i, ln in enumerate(text.splitlines(), 1) if ln.strip()]
        try:
            json.loads(lines[0][1])
        except json.JSONDecodeError:
            # Not JSON Lines either: report the document's own error position.
            raise _InputError(
                f"{path} is not valid JSON: {whole_error.msg} (line {whole_error.lineno}, column {whole_error.colno})"
            ) from None
        for lineno, ln in lines:
            try:
                payload: Any = json.loads(ln)
            except json.JSONDecodeError as exc:
                payload = _BadLine(f"{exc.msg} (column {exc.colno})")
            yield f"{path} line {lineno}", payload
        return
    if isinstance(doc, list):
        for i, item in enumerate(doc):
            yield f"{path} item {i}", item
    else:
        yield path, doc


def _unwrap(platform: str, raw: Any) -> Any:
    """Accept the webhook bodies that carry a call, as well as the bare call object."""
    if not isinstance(raw, dict):
        return raw
    if platform == "retell" and "call_id" not in raw and isinstance(raw.get("call"), dict):
        return raw["call"]  # {"event": "call_analyzed", "call": {…}}
    if platform == "vapi" and "id" not in raw and isinstance(raw.get("message"), dict):
        msg = raw["message"]  # {"message": {"type": "end-of-call-report", "call": {…}, "artifact": …}}
        call = dict(msg.get("call") or {})
        for key in (
            "artifact",
            "analysis",
            "endedReason",
            "startedAt",
            "endedAt",
            "cost",
            "costs",
            "customer",
            "phoneNumber",
        ):
            if msg.get(key) is not None and not call.get(key):
                call[key] = msg[key]
        return call
    if platform == "elevenlabs" and "conversation_id" not in raw and isinstance(raw.get("data"), dict):
        return raw["data"]  # {"type": "post_call_transcription", "data": {…}}
    return raw


def _camel(d: dict[str, Any]) -> dict[str, Any]:
    def camel(key: str) -> str:
        head, *rest = key.split("_")
        return head + "".join(p.capitalize() for p in rest)

    return {camel(k): v for k, v in d.items()}

"""The Agent Builder form's pieces: the rows the page lists (variables, tools, extracted fields, checks,
versions, diff lines), and turning specs, validation errors and diffs into them (ui/state/builder.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from voiceconsole.schemas.agent_spec import EndCallTool, TransferTool, WebhookTool
from voiceconsole.schemas.builder import FieldChange
from voiceconsole.ui import links

TOOL_KINDS = (("end_call", "End call"), ("transfer", "Transfer"), ("webhook", "Webhook"))
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
EXTRACT_TYPES = ("string", "number", "boolean")
SOURCE_LABELS = {
    "builder": "Builder",
    "import": "Imported",
    "platform": "Changed on the platform",
    "coaching": "From coaching",
    "template": "Template",
}
NOT_SAVED = "The draft was not saved: fix what is marked below."
TOOL_MODELS = {"end_call": EndCallTool, "transfer": TransferTool, "webhook": WebhookTool}
TOOL_PARTS = ("name", "description", "number", "url", "method", "headers", "parameters")
# The plain fields `set_field` changes.
FORM_FIELDS = (
    "name",
    "language",
    "voice_id",
    "model",
    "temperature",
    "system_prompt",
    "first_message",
    "first_speaker",
    "voicemail",
    "voicemail_message",
    "max_duration",
    "note",
)
BLANK_PARAMETERS = '{\n  "type": "object",\n  "properties": {}\n}'


@dataclass
class VariableRow:
    key: str = ""
    value: str = ""


@dataclass
class ToolRow:
    kind: str = "end_call"
    name: str = ""
    description: str = ""
    number: str = ""  # transfer
    url: str = ""  # webhook
    method: str = "POST"
    headers: str = ""  # one "Name: value" a line; stored values show as ********
    parameters: str = ""  # a JSON schema


@dataclass
class ExtractRow:
    name: str = ""
    type: str = "string"
    description: str = ""


@dataclass
class CheckRow:
    level: str = ""  # error | warning
    field: str = ""
    message: str = ""


@dataclass
class VariableHint:
    name: str = ""
    has_default: bool = False
    value: str = ""


@dataclass
class ChangeRow:
    field: str = ""
    before: str = ""
    after: str = ""


@dataclass
class DiffLine:
    text: str = ""
    kind: str = "same"  # add | remove | hunk | head | same


@dataclass
class VersionRow:
    number: int = 0
    note: str = ""
    author: str = ""
    source: str = ""
    created: str = ""
    deployed: str = ""  # when it was last made live ("" never)
    live: bool = False


# --- the form and the spec ---------------------------------------------------------------------------------


def tool_row(tool: dict[str, Any]) -> ToolRow:
    headers = tool.get("headers") or {}
    params = tool.get("parameters")
    return ToolRow(
        kind=tool.get("kind", "end_call"),
        name=tool.get("name", ""),
        description=tool.get("description", ""),
        number=tool.get("number", ""),
        url=tool.get("url", ""),
        method=tool.get("method", "POST"),
        headers="\n".join(f"{k}: {v}" for k, v in headers.items()),
        parameters=json.dumps(params, indent=2) if params is not None else "",
    )


def headers_of(text: str) -> dict[str, str]:
    """'Name: value' lines as a dict; ValueError naming the first line without a colon."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        name, colon, value = line.partition(":")
        if not colon or not name.strip():
            raise ValueError(f"Write each header as Name: value ({line.strip()[:40]!r})")
        out[name.strip()] = value.strip()
    return out


def field_key(loc: tuple) -> str:
    """A pydantic error's location as the spec's field path: ('tools', 0, 'transfer', 'number') → tools.0.number
    (the discriminated union's tag left out)."""
    parts = [str(p) for p in loc]
    if len(parts) > 2 and parts[0] == "tools" and parts[2] in dict(TOOL_KINDS):
        del parts[2]
    return ".".join(parts)


def shape_errors(exc: ValidationError) -> dict[str, str]:
    out: dict[str, str] = {}
    for err in exc.errors():
        key = field_key(tuple(err.get("loc", ())))
        message = str(err.get("msg", "Invalid value")).removeprefix("Value error, ")
        out.setdefault(key or "spec", message)
    return out


def change_row(change: FieldChange | dict[str, Any]) -> ChangeRow:
    data = change.wire() if isinstance(change, FieldChange) else change

    def shown(value: Any) -> str:
        if value is None:
            return "(none)"
        if isinstance(value, str):
            return value or '""'
        return json.dumps(value)

    return ChangeRow(field=data["field"], before=shown(data.get("before")), after=shown(data.get("after")))


def diff_lines(lines: list[str]) -> list[DiffLine]:
    out = []
    for line in lines:
        if line.startswith(("+++", "---")):
            kind = "head"
        elif line.startswith("@@"):
            kind = "hunk"
        elif line.startswith("+"):
            kind = "add"
        elif line.startswith("-"):
            kind = "remove"
        else:
            kind = "same"
        out.append(DiffLine(text=line, kind=kind))
    return out


def builder_href(agent_id: str | None, a: int | None = None, b: int | None = None) -> str:
    """The builder of an agent ("" without one); with `a` and `b`, opened on the diff between those versions."""
    if not agent_id:
        return ""
    base = f"{links.agent_href(agent_id)}/builder"
    return f"{base}?a={a}&b={b}" if a and b else base

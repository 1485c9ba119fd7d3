"""The Agent Builder's form: basics, the prompt (with its variables and the live prompt check), the first
message, dynamic variables, tools, post-call data, voicemail and duration, and "Save draft" with a note.

Every field shows the error the last save found for it right under it; members see the form read-only."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.feedback import error_callout, inline_error
from voiceconsole.ui.state.builder import BuilderState as B
from voiceconsole.ui.state.builder_rows import EXTRACT_TYPES, METHODS, TOOL_KINDS

MONO = "var(--code-font-family, ui-monospace, SFMono-Regular, Menlo, monospace)"


def _error(key: str | rx.Var, testid: str | rx.Var) -> rx.Component:
    return inline_error(B.errors.get(key, ""), custom_attrs={"data-testid": testid})


def _label(text: str, html_for: str) -> rx.Component:
    return rx.el.label(text, html_for=html_for, style={"font_size": "var(--font-size-2)", "font_weight": "500"})


def _field(text: str, key: str, control: rx.Component, hint=None) -> rx.Component:
    """A labelled control (its id `builder-<key>`), an optional hint and the field's error under it."""
    return rx.vstack(
        _label(text, f"builder-{key}"),
        control,
        rx.text(hint, size="1", color=styles.MUTED_TEXT) if hint is not None else rx.fragment(),
        _error(key, f"error-{key}"),
        spacing="1",
        width="100%",
        min_width="0",
    )


def _input(key: str, field: str, value: rx.Var, **props) -> rx.Component:
    return rx.input(
        id=f"builder-{key}",
        value=value,
        on_change=lambda v: B.set_field(field, v),
        width="100%",
        data_testid=f"builder-{key}",
        **props,
    )


def _section(title: str, note: str | None, *children: rx.Component, testid: str) -> rx.Component:
    return rx.vstack(
        rx.vstack(
            rx.heading(title, size="3", as_="h2"),
            rx.text(note, size="2", color=styles.MUTED_TEXT) if note else rx.fragment(),
            spacing="1",
        ),
        *children,
        spacing="3",
        width="100%",
        padding="18px 20px",
        style=styles.card,
        custom_attrs={"data-testid": testid},
    )


def _select(key: str, value: rx.Var, on_change, options: list[tuple[str, str]], label: str) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(id=f"builder-{key}", aria_label=label, width="100%", data_testid=f"builder-{key}"),
        rx.select.content(*[rx.select.item(text, value=v) for v, text in options], position="popper"),
        value=value,
        on_change=on_change,
        size="2",
    )


def _basics() -> rx.Component:
    return _section(
        "Basics",
        None,
        rx.grid(
            _field("Name", "name", _input("name", "name", B.name)),
            _field("Language", "language", _input("language", "language", B.language, placeholder="en-US")),
            _field("Voice ID", "voiceId", _input("voiceId", "voice_id", B.voice_id)),
            _field("Model", "llm.model", _input("llm.model", "model", B.model, placeholder="gpt-4o-mini")),
            _field(
                "Temperature",
                "llm.temperature",
                _input("llm.temperature", "temperature", B.temperature, type="number", step="0.1", min="0", max="2"),
                "0 (steady) to 2 (inventive)",
            ),
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="4",
            width="100%",
        ),
        testid="builder-basics",
    )


def _hint(hint: rx.Var) -> rx.Component:
    return rx.cond(
        hint.has_default,
        rx.badge(
            rx.code("{{" + hint.name + "}}", variant="ghost"),
            " = ",
            hint.value,
            color_scheme="green",
            variant="soft",
            title="Default value: " + hint.value,
            custom_attrs={"data-testid": "variable-hint", "data-default": "yes"},
        ),
        rx.badge(
            rx.code("{{" + hint.name + "}}", variant="ghost"),
            " no default",
            color_scheme="amber",
            variant="soft",
            title="No default value: add it under Dynamic variables",
            custom_attrs={"data-testid": "variable-hint", "data-default": "no"},
        ),
    )


def _check(check: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.cond(
            check.level == "error",
            rx.icon("circle-x", size=15, color=rx.color("red", 11), flex_shrink="0", aria_label="Error"),
            rx.icon("triangle-alert", size=15, color=rx.color("amber", 11), flex_shrink="0", aria_label="Warning"),
        ),
        rx.text(check.message, size="2"),
        rx.code(check.field, size="1", variant="ghost", color_scheme="gray"),
        spacing="2",
        align="start",
        custom_attrs={"data-testid": "prompt-check", "data-level": check.level},
    )


def checks_panel() -> rx.Component:
    """The prompt check of what the form holds now: errors block a deploy, warnings do not."""
    return rx.vstack(
        rx.hstack(
            rx.text("Prompt check", size="2", weight="bold"),
            rx.cond(
                B.checks.length() == 0,
                rx.badge("All clear", color_scheme="green", variant="soft", data_testid="checks-clear"),
                rx.cond(
                    B.check_errors > 0,
                    rx.badge(B.check_errors, " blocking", color_scheme="red", variant="soft"),
                    rx.badge("Warnings only", color_scheme="amber", variant="soft"),
                ),
            ),
            spacing="2",
            align="center",
        ),
        rx.foreach(B.checks, _check),
        rx.text("Errors block a deploy; warnings do not.", size="1", color=styles.MUTED_TEXT),
        spacing="2",
        width="100%",
        padding="12px 14px",
        border_radius="8px",
        border=styles.SUBTLE_BORDER,
        background=rx.color("gray", 2),
        role="status",
        aria_live="polite",
        data_testid="prompt-checks",
    )


def _prompt() -> rx.Component:
    return _section(
        "Prompt",
        "Use {{variable}} for what changes per call; give each a default under Dynamic variables.",
        rx.vstack(
            _label("System prompt", "builder-systemPrompt"),
            rx.text_area(
                id="builder-systemPrompt",
                value=B.system_prompt,
                on_change=lambda v: B.set_field("system_prompt", v),
                rows="18",
                resize="vertical",
                width="100%",
                style={"font_family": MONO, "font_size": "13px", "line_height": "1.5"},
                data_testid="builder-systemPrompt",
            ),
            _error("systemPrompt", "error-systemPrompt"),
            spacing="1",
            width="100%",
        ),
        rx.cond(
            B.hints.length() > 0,
            rx.flex(
                rx.text("Variables used:", size="2", color=styles.MUTED_TEXT),
                rx.foreach(B.hints, _hint),
                spacing="2",
                wrap="wrap",
                align="center",
                data_testid="variable-hints",
            ),
            rx.text("No {{variables}} used.", size="2", color=styles.MUTED_TEXT, data_testid="variable-hints"),
        ),
        checks_panel(),
        testid="builder-prompt",
    )


def _opening() -> rx.Component:
    return _section(
        "Opening",
        None,
        _field(
            "Who speaks first",
            "firstSpeaker",
            _select(
                "firstSpeaker",
                B.first_speaker,
                lambda v: B.set_field("first_speaker", v),
                [("agent", "The agent"), ("user", "The caller")],
                "Who speaks first",
            ),
        ),
        _field(
            "First message",
            "firstMessage",
            rx.text_area(
                id="builder-firstMessage",
                value=B.first_message,
                on_change=lambda v: B.set_field("first_message", v),
                rows="2",
                width="100%",
                data_testid="builder-firstMessage",
            ),
        ),
        testid="builder-opening",
    )


def _remove(label: rx.Var, on_click, testid: str) -> rx.Component:
    return rx.icon_button(
        rx.icon("trash-2", size=14),
        type="button",
        variant="ghost",
        color_scheme="gray",
        size="1",
        on_click=on_click,
        aria_label=label,
        title=label,
        data_testid=testid,
    )


def _variable(row: rx.Var, i: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.input(
                value=row.key,
                on_change=lambda v: B.set_variable(i, "key", v),
                placeholder="customer_name",
                aria_label="Variable name",
                width="40%",
                style={"font_family": MONO},
                data_testid="variable-key",
            ),
            rx.input(
                value=row.value,
                on_change=lambda v: B.set_variable(i, "value", v),
                placeholder="Default value",
                aria_label="Default value of " + row.key,
                flex="1",
                data_testid="variable-value",
            ),
            _remove("Remove variable " + row.key, B.remove_variable(i), "variable-remove"),
            spacing="2",
            align="center",
            width="100%",
        ),
        _error("dynamicVariables." + i.to_string(), "error-variable"),
        spacing="1",
        width="100%",
        custom_attrs={"data-testid": "variable-row"},
    )


def _variables() -> rx.Component:
    return _section(
        "Dynamic variables",
        "Default values of the {{variables}}; a campaign's lead fields override them per call.",
        rx.foreach(B.variables, _variable),
        _error("dynamicVariables", "error-dynamicVariables"),
        rx.button(
            rx.icon("plus", size=14),
            "Add variable",
            type="button",
            variant="soft",
            size="1",
            on_click=B.add_variable,
            data_testid="add-variable",
        ),
        testid="builder-variables",
    )


def _tool_input(row: rx.Var, i: rx.Var, part: str, label: str, **props) -> rx.Component:
    key = "tools." + i.to_string() + "." + part
    return rx.vstack(
        rx.text(label, size="1", weight="medium", color=styles.MUTED_TEXT),
        rx.input(
            value=row[part],
            on_change=lambda v: B.set_tool(i, part, v),
            aria_label=label + " of tool " + row.name,
            width="100%",
            data_testid=f"tool-{part}",
            **props,
        ),
        _error(key, f"error-tool-{part}"),
        spacing="1",
        width="100%",
        min_width="0",
    )


def _tool_text(row: rx.Var, i: rx.Var, part: str, label: str, hint: str, rows: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", weight="medium", color=styles.MUTED_TEXT),
        rx.text_area(
            value=row[part],
            on_change=lambda v: B.set_tool(i, part, v),
            aria_label=label + " of tool " + row.name,
            rows=rows,
            width="100%",
            style={"font_family": MONO, "font_size": "12px"},
            data_testid=f"tool-{part}",
        ),
        rx.text(hint, size="1", color=styles.MUTED_TEXT),
        _error("tools." + i.to_string() + "." + part, f"error-tool-{part}"),
        spacing="1",
        width="100%",
    )


def _tool(row: rx.Var, i: rx.Var) -> rx.Component:
    kind_label = rx.match(row.kind, *[(k, text) for k, text in TOOL_KINDS], row.kind)
    return rx.vstack(
        rx.hstack(
            rx.badge(kind_label, variant="surface"),
            rx.spacer(),
            _remove("Remove tool " + row.name, B.remove_tool(i), "tool-remove"),
            align="center",
            width="100%",
        ),
        rx.grid(
            _tool_input(row, i, "name", "Name", style={"font_family": MONO}),
            _tool_input(row, i, "description", "Description"),
            columns=rx.breakpoints(initial="1", sm="1fr 2fr"),
            spacing="3",
            width="100%",
        ),
        rx.cond(row.kind == "transfer", _tool_input(row, i, "number", "Transfer to", placeholder="+14155550100")),
        rx.cond(
            row.kind == "webhook",
            rx.vstack(
                rx.grid(
                    _tool_input(row, i, "url", "URL", placeholder="https://"),
                    rx.vstack(
                        rx.text("Method", size="1", weight="medium", color=styles.MUTED_TEXT),
                        rx.select.root(
                            rx.select.trigger(aria_label="Method of tool " + row.name, width="100%"),
                            rx.select.content(*[rx.select.item(m, value=m) for m in METHODS], position="popper"),
                            value=row.method,
                            on_change=lambda v: B.set_tool(i, "method", v),
                            size="2",
                        ),
                        spacing="1",
                    ),
                    columns=rx.breakpoints(initial="1", sm="1fr 120px"),
                    spacing="3",
                    width="100%",
                ),
                _tool_text(
                    row,
                    i,
                    "headers",
                    "Headers",
                    "One Name: value a line. Values are secret: stored encrypted, shown as ********.",
                    "2",
                ),
                _tool_text(
                    row, i, "parameters", "Parameters (JSON schema)", "What the LLM sends, as a JSON schema.", "5"
                ),
                spacing="3",
                width="100%",
            ),
        ),
        spacing="3",
        width="100%",
        padding="12px 14px",
        border_radius="10px",
        border=styles.SUBTLE_BORDER,
        custom_attrs={"data-testid": "tool-row", "data-kind": row.kind},
    )


def _tools() -> rx.Component:
    return _section(
        "Tools",
        "What the agent can do during a call. The LLM picks tools by their description.",
        rx.foreach(B.tools, _tool),
        rx.hstack(
            *[
                rx.button(
                    rx.icon("plus", size=14),
                    text,
                    type="button",
                    variant="soft",
                    size="1",
                    on_click=B.add_tool(kind),
                    data_testid=f"add-tool-{kind}",
                )
                for kind, text in TOOL_KINDS
            ],
            spacing="2",
            wrap="wrap",
        ),
        testid="builder-tools",
    )


def _extract(row: rx.Var, i: rx.Var) -> rx.Component:
    prefix = "postCallData." + i.to_string()
    return rx.vstack(
        rx.hstack(
            rx.input(
                value=row.name,
                on_change=lambda v: B.set_extract(i, "name", v),
                placeholder="appointment_booked",
                aria_label="Post-call field name",
                width="30%",
                style={"font_family": MONO},
                data_testid="extract-name",
            ),
            rx.select.root(
                rx.select.trigger(aria_label="Type of " + row.name, width="110px"),
                rx.select.content(*[rx.select.item(t, value=t) for t in EXTRACT_TYPES], position="popper"),
                value=row.type,
                on_change=lambda v: B.set_extract(i, "type", v),
                size="2",
            ),
            rx.input(
                value=row.description,
                on_change=lambda v: B.set_extract(i, "description", v),
                placeholder="What to extract",
                aria_label="Description of " + row.name,
                flex="1",
                data_testid="extract-description",
            ),
            _remove("Remove post-call field " + row.name, B.remove_extract(i), "extract-remove"),
            spacing="2",
            align="center",
            width="100%",
        ),
        _error(prefix + ".name", "error-extract-name"),
        spacing="1",
        width="100%",
        custom_attrs={"data-testid": "extract-row"},
    )


def _post_call() -> rx.Component:
    return _section(
        "Post-call data",
        "What the platform extracts from each call.",
        rx.foreach(B.extract, _extract),
        rx.button(
            rx.icon("plus", size=14),
            "Add field",
            type="button",
            variant="soft",
            size="1",
            on_click=B.add_extract,
            data_testid="add-extract",
        ),
        testid="builder-post-call",
    )


def _ending() -> rx.Component:
    return _section(
        "Voicemail and duration",
        None,
        rx.grid(
            _field(
                "On voicemail",
                "voicemail",
                _select(
                    "voicemail",
                    B.voicemail,
                    lambda v: B.set_field("voicemail", v),
                    [("hang_up", "Hang up"), ("leave_message", "Leave a message")],
                    "On voicemail",
                ),
            ),
            _field(
                "Max call duration (seconds)",
                "maxCallDurationS",
                _input("maxCallDurationS", "max_duration", B.max_duration, type="number", min="30", max="7200"),
                "30 to 7,200",
            ),
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="4",
            width="100%",
        ),
        rx.cond(
            B.voicemail == "leave_message",
            _field(
                "Voicemail message",
                "voicemailMessage",
                rx.text_area(
                    id="builder-voicemailMessage",
                    value=B.voicemail_message,
                    on_change=lambda v: B.set_field("voicemail_message", v),
                    rows="2",
                    width="100%",
                    data_testid="builder-voicemailMessage",
                ),
            ),
        ),
        testid="builder-ending",
    )


def _save_bar() -> rx.Component:
    return rx.vstack(
        error_callout(B.form_error, data_testid="builder-form-error"),
        rx.flex(
            rx.input(
                value=B.note,
                on_change=lambda v: B.set_field("note", v),
                placeholder="What changed (optional)",
                aria_label="Note for this version",
                max_length=500,
                flex="1",
                min_width="200px",
                data_testid="builder-note",
            ),
            rx.button(
                rx.icon("save", size=15),
                "Save draft",
                type="button",
                on_click=B.save_draft,
                data_testid="builder-save",
            ),
            spacing="2",
            align="center",
            wrap="wrap",
            width="100%",
        ),
        rx.text(
            "Saving makes a new version; nothing goes live until you deploy it.",
            size="1",
            color=styles.MUTED_TEXT,
        ),
        spacing="2",
        width="100%",
        padding="14px 20px",
        style=styles.card,
        position="sticky",
        bottom="0",
        z_index="2",
        data_testid="builder-save-bar",
    )


def builder_form() -> rx.Component:
    """Read-only (a disabled fieldset) for members; owners and admins edit and save."""
    return rx.el.fieldset(
        rx.el.legend("Agent configuration", class_name="vc-sr-only"),
        rx.vstack(
            _basics(),
            _prompt(),
            _opening(),
            _variables(),
            _tools(),
            _post_call(),
            _ending(),
            rx.cond(
                B.can_manage,
                _save_bar(),
                rx.callout(
                    "Only owners and admins change agents. You can read everything here.",
                    icon="eye",
                    color_scheme="gray",
                    variant="soft",
                    data_testid="builder-read-only",
                ),
            ),
            spacing="4",
            width="100%",
        ),
        disabled=~B.can_manage,
        style={"border": "none", "padding": "0", "margin": "0", "min_width": "0"},
        data_testid="builder-form",
    )

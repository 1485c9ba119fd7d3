"""The call page's cards: summary and recording, the score breakdown, tags and notes."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.feedback import inline_error
from voiceconsole.ui.state.call_detail import CallDetailState


def _card_title(icon: str, title: str, *extra: rx.Component) -> rx.Component:
    return rx.hstack(
        rx.icon(icon, size=17, color=styles.MUTED_TEXT),
        rx.heading(title, size="3"),
        rx.spacer(),
        *extra,
        align="center",
        spacing="2",
        margin_bottom="12px",
        width="100%",
    )


def summary_card() -> rx.Component:
    c = CallDetailState.call
    return rx.box(
        _card_title("file-text", "Summary"),
        rx.text(
            rx.cond(c["summary_full"] != "", c["summary_full"], "No summary from the platform."),
            size="2",
            line_height="1.6",
            data_testid="call-summary",
        ),
        rx.cond(
            c["recording_url"] != "",
            rx.vstack(
                rx.text("Recording", size="1", weight="medium", color=styles.MUTED_TEXT),
                rx.el.audio(
                    src=c["recording_url"],
                    controls=True,
                    preload="none",
                    width="100%",
                    style={"width": "100%"},
                    data_testid="recording",
                ),
                rx.foreach(
                    CallDetailState.recordings,
                    lambda r: rx.link(
                        r["label"],
                        href=r["url"],
                        is_external=True,
                        size="1",
                        custom_attrs={"data-testid": "other-recording"},
                    ),
                ),
                spacing="1",
                margin_top="16px",
                width="100%",
            ),
            rx.fragment(),
        ),
        style=styles.card,
        padding="20px",
        margin_bottom="16px",
    )


def _reason_list(reasons: rx.Var, **props) -> rx.Component:
    return rx.el.ul(
        rx.foreach(reasons, lambda reason: rx.el.li(reason, custom_attrs={"data-testid": "score-reason"})),
        style={
            "margin": "0",
            "padding_left": "18px",
            "font_size": "var(--font-size-1)",
            "line_height": "1.55",
            "color": rx.color("gray", 11),
            "list_style": "disc",
        },
        **props,
    )


def _score_part(part: rx.Var) -> rx.Component:
    colour = rx.match(
        part.band, *[(band, rx.color(c, 9)) for band, (_, c) in styles.SCORE_BANDS.items()], rx.color("gray", 9)
    )
    return rx.vstack(
        rx.hstack(
            rx.text(part.name, size="2", weight="medium"),
            rx.cond(
                part.source != "",
                rx.badge(part.source, size="1", variant="soft", color_scheme="violet", title="Judged by the AI model"),
                rx.fragment(),
            ),
            rx.spacer(),
            rx.text(part.score, size="2", weight="bold", class_name="vc-num", data_testid="part-score"),
            rx.text(
                part.weight,
                size="1",
                color=styles.MUTED_TEXT,
                class_name="vc-num",
                min_width="44px",
                text_align="right",
                title="This category's share of the call score",
                data_testid="part-weight",
            ),
            width="100%",
            align="center",
            spacing="2",
        ),
        rx.box(
            rx.box(height="100%", width=part.value.to_string() + "%", border_radius="3px", background=colour),
            height="6px",
            width="100%",
            border_radius="3px",
            background=rx.color("gray", 4),
        ),
        _reason_list(part.reasons),
        rx.cond(
            part.more_reasons.length() > 0,
            rx.el.details(
                rx.el.summary(
                    rx.text(
                        part.more_reasons.length().to_string() + " more",
                        as_="span",
                        size="1",
                        color=rx.color("accent", 11),
                        weight="medium",
                    ),
                    style={"cursor": "pointer", "padding_left": "2px"},
                ),
                _reason_list(part.more_reasons, margin_top="2px"),
                custom_attrs={"data-testid": "more-reasons"},
            ),
            rx.fragment(),
        ),
        spacing="1",
        width="100%",
        custom_attrs={"data-testid": "score-part", "data-category": part.key},
    )


def _no_transcript_note() -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon("file-x")),
        rx.callout.text(
            rx.text("No transcript, so nothing to score", weight="bold", as_="div"),
            rx.text(
                "The platform sent no transcript, or nobody spoke. The call shows 0 but is left out of "
                "score averages; check the recording or the end reason instead.",
                as_="div",
            ),
        ),
        color_scheme="gray",
        variant="surface",
        size="1",
        data_testid="no-transcript",
    )


def _score_meta() -> rx.Component:
    meta = CallDetailState.score_meta
    return rx.vstack(
        rx.text(
            meta["mode"],
            " scoring · scorer ",
            meta["version"],
            size="1",
            color=styles.MUTED_TEXT,
            data_testid="score-meta",
        ),
        rx.cond(meta["note"] != "", rx.text(meta["note"], size="1", color=rx.color("amber", 11)), rx.fragment()),
        spacing="1",
        margin_top="14px",
        padding_top="10px",
        border_top=styles.SUBTLE_BORDER,
        width="100%",
    )


def score_card() -> rx.Component:
    scored = (CallDetailState.score_breakdown.length() > 0) | CallDetailState.no_transcript
    return rx.box(
        _card_title("gauge", "Score breakdown"),
        rx.cond(
            scored,
            rx.fragment(
                rx.cond(
                    CallDetailState.no_transcript,
                    _no_transcript_note(),
                    rx.vstack(rx.foreach(CallDetailState.score_breakdown, _score_part), spacing="4", width="100%"),
                ),
                _score_meta(),
            ),
            rx.text(
                rx.cond(
                    CallDetailState.live,
                    "This call is still in progress. The score comes after the call ends.",
                    "Not scored yet. Calls are scored a few seconds after they end.",
                ),
                size="2",
                color=styles.MUTED_TEXT,
                data_testid="score-pending",
            ),
        ),
        style=styles.card,
        padding="20px",
        margin_bottom="16px",
        data_testid="score-card",
    )


def _tag_chip(name: rx.Var) -> rx.Component:
    return rx.badge(
        rx.icon("tag", size=11),
        name,
        rx.cond(
            CallDetailState.can_edit,
            rx.el.button(
                rx.icon("x", size=11),
                on_click=CallDetailState.remove_tag(name),
                type="button",
                aria_label="Remove tag " + name,
                title="Remove tag",
                style={"all": "unset", "cursor": "pointer", "display": "inline-flex", "margin_left": "2px"},
                custom_attrs={"data-testid": "remove-tag"},
            ),
            rx.fragment(),
        ),
        variant="soft",
        radius="full",
        size="2",
        color_scheme="gray",
        custom_attrs={"data-testid": "tag-chip"},
    )


def tags_card() -> rx.Component:
    return rx.box(
        _card_title("tags", "Tags"),
        rx.cond(
            CallDetailState.tags.length() > 0,
            rx.flex(rx.foreach(CallDetailState.tags, _tag_chip), wrap="wrap", spacing="2", data_testid="tags"),
            rx.text("No tags yet.", size="2", color=styles.MUTED_TEXT),
        ),
        rx.cond(
            CallDetailState.can_edit,
            rx.form(
                rx.hstack(
                    rx.input(
                        name="tag",
                        placeholder="Add tags, comma separated",
                        value=CallDetailState.tag_draft,
                        on_change=CallDetailState.set_tag_draft,
                        aria_label="New tag",
                        size="2",
                        flex="1",
                        data_testid="tag-input",
                        max_length=200,
                    ),
                    rx.button(
                        rx.icon("plus", size=14), "Add", type="submit", size="2", variant="soft", data_testid="add-tag"
                    ),
                    width="100%",
                    spacing="2",
                ),
                inline_error(CallDetailState.tag_error, margin_top="6px", data_testid="tag-error"),
                on_submit=CallDetailState.submit_tag,
                margin_top="12px",
                width="100%",
            ),
            rx.fragment(),
        ),
        style=styles.card,
        padding="20px",
        margin_bottom="16px",
    )


def _note(note: rx.Var) -> rx.Component:
    return rx.box(
        rx.text(note["body"], size="2", white_space="pre-wrap", line_height="1.55"),
        rx.text(note["author"], " · ", note["at"], size="1", color=styles.MUTED_TEXT, margin_top="6px"),
        padding="10px 12px",
        border_radius="10px",
        background=rx.color("gray", 2),
        border=styles.SUBTLE_BORDER,
        width="100%",
        custom_attrs={"data-testid": "note"},
    )


def notes_card() -> rx.Component:
    return rx.box(
        _card_title(
            "notebook-pen", "Notes", rx.badge(CallDetailState.notes.length(), variant="soft", color_scheme="gray")
        ),
        rx.cond(
            CallDetailState.notes.length() > 0,
            rx.vstack(rx.foreach(CallDetailState.notes, _note), spacing="2", width="100%", data_testid="notes"),
            rx.text(
                "No notes yet. Notes are visible to everyone in your organization.", size="2", color=styles.MUTED_TEXT
            ),
        ),
        rx.cond(
            CallDetailState.can_edit,
            rx.form(
                rx.text_area(
                    name="body",
                    placeholder="Add a note for your team…",
                    value=CallDetailState.note_draft,
                    on_change=CallDetailState.set_note_draft,
                    aria_label="New note",
                    rows="3",
                    width="100%",
                    data_testid="note-input",
                    max_length=5000,
                ),
                inline_error(CallDetailState.note_error, data_testid="note-error"),
                rx.flex(
                    rx.button(rx.icon("send", size=14), "Add note", type="submit", size="2", data_testid="add-note"),
                    justify="end",
                    width="100%",
                ),
                on_submit=CallDetailState.submit_note,
                margin_top="12px",
                width="100%",
                display="flex",
                flex_direction="column",
                gap="8px",
            ),
            rx.fragment(),
        ),
        style=styles.card,
        padding="20px",
    )

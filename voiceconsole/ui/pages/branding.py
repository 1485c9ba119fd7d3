"""/settings/branding: the agency's name, accent colour and logo in its client portals (owners and admins)."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.backend import api_url
from voiceconsole.ui.components.feedback import error_callout
from voiceconsole.ui.components.file_picker import file_picker
from voiceconsole.ui.components.layout import app_shell
from voiceconsole.ui.components.page_header import page_header
from voiceconsole.ui.state.branding import BrandingState as S

UPLOAD_ID = "branding-logo"


def _field_error(message: rx.Var, testid: str) -> rx.Component:
    return rx.cond(
        message != "", rx.text(message, size="1", color=rx.color("red", 11), role="alert", data_testid=testid)
    )


def _details_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text("Agency name", as_="label", html_for="brand-name-input", size="2", weight="medium"),
            rx.input(
                id="brand-name-input",
                name="name",
                value=S.name_input,
                on_change=S.set_name_input,
                max_length=200,
                width="100%",
                data_testid="brand-name-input",
            ),
            _field_error(S.name_error, "brand-name-error"),
            rx.text("Accent colour", as_="label", html_for="brand-accent-input", size="2", weight="medium"),
            rx.hstack(
                rx.input(
                    id="brand-accent-input",
                    name="accent_color",
                    value=S.accent_input,
                    on_change=S.set_accent_input,
                    placeholder="#4f46e5",
                    max_length=7,
                    width="140px",
                    data_testid="brand-accent-input",
                ),
                rx.box(
                    width="28px",
                    height="28px",
                    border_radius="6px",
                    border=styles.SUBTLE_BORDER,
                    background=rx.cond(S.accent_preview != "", S.accent_preview, "transparent"),
                    aria_hidden="true",
                ),
                align="center",
                spacing="2",
            ),
            rx.text("Leave empty for VoiceConsole's own colour.", size="1", color=styles.MUTED_TEXT),
            _field_error(S.accent_error, "brand-accent-error"),
            rx.button("Save", type="submit", data_testid="brand-save"),
            spacing="2",
            width="100%",
            max_width="420px",
        ),
        on_submit=S.save,
        reset_on_submit=False,
    )


def _logo() -> rx.Component:
    return rx.vstack(
        rx.text("Logo", size="2", weight="medium"),
        rx.cond(
            S.logo_url != "",
            rx.image(
                src=api_url(S.logo_url),
                alt="Current logo",
                max_height="64px",
                max_width="240px",
                object_fit="contain",
                data_testid="brand-logo-preview",
            ),
            rx.text("No logo yet.", size="2", color=styles.MUTED_TEXT),
        ),
        file_picker(
            rx.vstack(
                rx.button("Choose an image", variant="soft", type="button"),
                rx.text(rx.selected_files(UPLOAD_ID), size="1", color=styles.MUTED_TEXT),
                spacing="1",
            ),
            id=UPLOAD_ID,
            accept={"image/png": [".png"], "image/jpeg": [".jpg", ".jpeg"], "image/webp": [".webp"]},
            max_files=1,
            multiple=False,
            border=styles.SUBTLE_BORDER,
            padding="12px",
            border_radius="8px",
            data_testid="brand-logo-upload",
            label="Logo image",
        ),
        rx.text(S.logo_limit, size="1", color=styles.MUTED_TEXT),
        _field_error(S.logo_error, "brand-logo-error"),
        rx.hstack(
            rx.button(
                "Upload",
                on_click=S.upload_logo(rx.upload_files(upload_id=UPLOAD_ID)),
                data_testid="brand-logo-submit",
            ),
            rx.cond(
                S.logo_url != "",
                rx.button(
                    "Remove",
                    variant="soft",
                    color_scheme="red",
                    on_click=S.remove_logo,
                    data_testid="brand-logo-remove",
                ),
            ),
            spacing="2",
        ),
        spacing="2",
        width="100%",
    )


def branding_page() -> rx.Component:
    return app_shell(
        "branding",
        page_header("Branding", "Your agency's name, colour and logo, as your clients' viewers see their portal."),
        error_callout(S.error, margin_bottom="16px"),
        rx.cond(
            S.saved != "",
            rx.callout(
                S.saved, icon="check", color_scheme="green", variant="soft", margin_bottom="16px", role="status"
            ),
        ),
        rx.cond(
            S.can_manage,
            rx.grid(
                rx.box(_details_form(), padding="18px", style=styles.card),
                rx.box(_logo(), padding="18px", style=styles.card),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="4",
                width="100%",
            ),
            rx.text("Only owners and admins change the branding.", color=styles.MUTED_TEXT),
        ),
    )

"""The signed-in shell: sidebar (or, on phones, a top bar with a navigation drawer) and the content area.

The shell itself renders at once, while the session is being checked: the navigation, a placeholder for
the account and a skeleton of the content. What belongs to someone appears only once the session is known.
"""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.billing_banner import billing_banner
from voiceconsole.ui.components.sidebar import mobile_bar, sidebar
from voiceconsole.ui.state.auth import AuthState

# `/` focuses the calls search, unless the user is typing somewhere (an input, a text area, an open menu or
# dialog) or holds a modifier. Installed once per tab, on the first page that mounts the shell.
SEARCH_SHORTCUT_JS = """
if (!window.__vcSearchShortcut) {
  window.__vcSearchShortcut = true;
  document.addEventListener('keydown', (event) => {
    if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    const target = event.target;
    const typing = 'input, textarea, select, [contenteditable], [role=combobox], [role=listbox], [role=dialog]';
    if (target instanceof Element && (target.isContentEditable || target.closest(typing))) return;
    const search = document.querySelector('[data-search-shortcut]');
    if (!search) return;
    event.preventDefault();
    search.focus();
    if (typeof search.select === 'function') search.select();
  });
}
"""


def content_skeleton() -> rx.Component:
    """The page's place while its data loads: a title, a row of cards and a large card, as grey shapes."""

    def block(height: str, width: str = "100%") -> rx.Component:
        return rx.skeleton(rx.box(height=height, width=width), loading=True, border_radius="12px")

    return rx.vstack(
        block("28px", "220px"),
        block("16px", "min(420px, 80%)"),
        rx.grid(
            *[block("104px") for _ in range(4)],
            columns=rx.breakpoints(initial="2", md="4"),
            spacing="4",
            width="100%",
            margin_top="12px",
        ),
        block("320px"),
        spacing="3",
        width="100%",
        aria_busy="true",
        aria_label="Loading",
        role="status",
        data_testid="loading",
    )


def app_shell(active: str, *children: rx.Component) -> rx.Component:
    """Wrap a protected page. `active` is the nav key to highlight (calls, agents, api-keys).

    The page's content shows only after this page's on_load handlers ran (Reflex sets `is_hydrated`
    back to False on every navigation), so neither another user's nor the previous page's data can
    flash; until then the content area holds a skeleton. A failed payment's banner comes first.
    """
    content = rx.cond(
        rx.State.is_hydrated & AuthState.is_authenticated,
        rx.fragment(billing_banner(), *children),
        content_skeleton(),
    )
    return rx.flex(
        sidebar(active),
        rx.box(
            mobile_bar(active),
            rx.el.main(
                content,
                width="100%",
                max_width=styles.CONTENT_MAX_WIDTH,
                margin="0 auto",
                padding=["16px 12px", "20px 16px", "24px 24px", "24px 24px", "28px 36px"],
                display="block",
            ),
            flex="1",
            min_width="0",
        ),
        on_mount=rx.call_script(SEARCH_SHORTCUT_JS),
        min_height="100vh",
        background=styles.APP_BG,
        width="100%",
    )

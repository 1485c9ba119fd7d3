"""The shared look: sizes, surfaces and colour choices used by every page.

Colours go through `rx.color(...)` so light and dark appearance both work.
"""

import reflex as rx

SIDEBAR_WIDTH = "248px"
CONTENT_MAX_WIDTH = "1320px"

# Surfaces
APP_BG = rx.color("gray", 2)
SURFACE_BG = rx.color("gray", 1)
SUBTLE_BORDER = f"1px solid {rx.color('gray', 4)}"
MUTED_TEXT = rx.color("gray", 11)

card = {
    "background": SURFACE_BG,
    "border": SUBTLE_BORDER,
    "border_radius": "12px",
    "box_shadow": "0 1px 2px rgba(16, 24, 40, 0.04)",
}

# Badge colours for our own vocabularies (Radix colour names).
SCORE_BANDS = {
    # band: (label, colour)
    "excellent": ("Excellent", "green"),
    "good": ("Good", "blue"),
    "attention": ("Needs attention", "amber"),
    "poor": ("Poor", "red"),
    "none": ("Not scored", "gray"),
}
PLATFORM_COLORS = {"retell": "iris", "vapi": "teal", "elevenlabs": "orange"}

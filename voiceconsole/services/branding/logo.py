"""A logo upload's checks: its real type, read from its first bytes (never from its name or the type the
browser claims), and its size. PNG, JPEG and WebP only: SVG can carry scripts, so it is refused rather
than sanitised."""

from __future__ import annotations

import struct

from voiceconsole.services.errors import ValidationFailed

MAX_LOGO_BYTES = 512 * 1024
MAX_LOGO_SIDE = 4096  # pixels, when the header says (PNG): a decompression bomb is refused
LOGO_TYPES = ("image/png", "image/jpeg", "image/webp")


def sniff(data: bytes) -> str | None:
    """The image type `data` starts like, or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _png_size(data: bytes) -> tuple[int, int] | None:
    if len(data) < 24 or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def check_logo(data: bytes, *, field: str = "logo") -> str:
    """The logo's content type; ValidationFailed (422 naming `field`) for anything but a PNG, JPEG or WebP
    image of at most MAX_LOGO_BYTES."""
    if not data:
        raise ValidationFailed.field(field, "The file is empty")
    if len(data) > MAX_LOGO_BYTES:
        raise ValidationFailed.field(field, f"The logo must be at most {MAX_LOGO_BYTES // 1024} KB")
    kind = sniff(data)
    if kind is None:
        raise ValidationFailed.field(field, "The logo must be a PNG, JPEG or WebP image (SVG is not accepted)")
    if kind == "image/png":
        size = _png_size(data)
        if size is None:
            raise ValidationFailed.field(field, "The PNG file is damaged")
        if not (0 < size[0] <= MAX_LOGO_SIDE and 0 < size[1] <= MAX_LOGO_SIDE):
            raise ValidationFailed.field(field, f"The logo must be at most {MAX_LOGO_SIDE} pixels wide and high")
    return kind

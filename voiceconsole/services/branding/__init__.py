"""An agency's branding in its client portals: its name, an accent colour and a logo (`settings`), the
logo's checks (`logo`: real type by its first bytes, size)."""

from voiceconsole.services.branding.logo import LOGO_TYPES, MAX_LOGO_BYTES, check_logo
from voiceconsole.services.branding.settings import (
    Logo,
    get_branding,
    logo_of,
    normalise_color,
    remove_logo,
    set_logo,
    update_branding,
)

__all__ = [
    "LOGO_TYPES",
    "MAX_LOGO_BYTES",
    "Logo",
    "check_logo",
    "get_branding",
    "logo_of",
    "normalise_color",
    "remove_logo",
    "set_logo",
    "update_branding",
]

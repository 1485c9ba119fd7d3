"""Who is acting (`Actor`), what each role may do (`permissions`: one table, action → roles), and the audit
trail (`audit`).

Every service checks access here, so the API, the UI and the jobs enforce the same rules.
"""

from voiceconsole.services.access.actor import SYSTEM, Actor
from voiceconsole.services.access.permissions import (
    MANAGER_ROLES,
    PERMISSIONS,
    can,
    is_manager,
    require,
    require_manager,
    require_staff,
    require_writer,
)

__all__ = [
    "MANAGER_ROLES",
    "PERMISSIONS",
    "SYSTEM",
    "Actor",
    "can",
    "is_manager",
    "require",
    "require_manager",
    "require_staff",
    "require_writer",
]

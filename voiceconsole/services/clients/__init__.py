"""An agency's clients: create, rename and delete them, and choose which agents serve which client
(`manage`); one client's page (`profile`). Client viewers, who see one client only, are members with a
client (see `access`)."""

from voiceconsole.services.clients.manage import (
    MAX_NAME,
    assign_agent,
    create_client,
    delete_client,
    get_client,
    list_clients,
    rename_client,
    update_client,
)
from voiceconsole.services.clients.profile import client_profile
from voiceconsole.services.clients.report import weekly_report

__all__ = [
    "MAX_NAME",
    "assign_agent",
    "client_profile",
    "create_client",
    "delete_client",
    "get_client",
    "list_clients",
    "rename_client",
    "update_client",
    "weekly_report",
]

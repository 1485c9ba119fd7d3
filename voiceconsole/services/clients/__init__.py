"""An agency's clients: create, rename and delete them, and choose which agents serve which client
(`manage`). Client viewers, who see one client only, are members with a client (see `access`)."""

from voiceconsole.services.clients.manage import (
    MAX_NAME,
    assign_agent,
    create_client,
    delete_client,
    get_client,
    list_clients,
    rename_client,
)

__all__ = ["MAX_NAME", "assign_agent", "create_client", "delete_client", "get_client", "list_clients", "rename_client"]

"""Running Alembic from code (the CLI, `make run`, tests)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from voiceconsole.settings import PROJECT_ROOT


def alembic_config() -> Config:
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    cfg.attributes["skip_logging"] = True
    return cfg


def upgrade(revision: str = "head") -> None:
    command.upgrade(alembic_config(), revision)


def head_revision() -> str | None:
    """The newest migration this code ships."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def database_revision(connection: Connection) -> str | None:
    """The migration the database is at (None: never migrated). Read directly: Alembic's own context would
    log two lines each time a load balancer asks for readiness."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()

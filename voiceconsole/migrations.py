"""Running Alembic from code (the CLI, `make run`, tests)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from voiceconsole.settings import PROJECT_ROOT


def alembic_config() -> Config:
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    cfg.attributes["skip_logging"] = True
    return cfg


def upgrade(revision: str = "head") -> None:
    command.upgrade(alembic_config(), revision)

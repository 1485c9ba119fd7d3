"""The `voiceconsole` command for operators and scripts (DESIGN.md §9)."""

from __future__ import annotations

import logging

import typer

app = typer.Typer(help="VoiceConsole operator commands.", no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
org_app = typer.Typer(help="Organizations.", no_args_is_help=True)
apikey_app = typer.Typer(help="API keys.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(org_app, name="org")
app.add_typer(apikey_app, name="apikey")


def _logging() -> None:
    from voiceconsole.settings import get_settings

    logging.basicConfig(level=get_settings().log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs every request at INFO: a sync of thousands of calls would flood the worker's log.
    logging.getLogger("httpx").setLevel(logging.WARNING)


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head")) -> None:
    """Apply migrations (the only way the schema changes)."""
    from voiceconsole.migrations import upgrade

    upgrade(revision)
    typer.echo(f"database at {revision}")


@org_app.command("create")
def org_create(name: str, plan: str = typer.Option("free", help="free | pro | agency")) -> None:
    """Create an organization and print its slug."""
    from voiceconsole.db import session_scope
    from voiceconsole.models import PLANS
    from voiceconsole.services import accounts
    from voiceconsole.services.errors import ValidationFailed

    if plan not in PLANS:
        raise typer.BadParameter(f"plan must be one of {', '.join(PLANS)}")
    try:
        with session_scope() as session:
            org = accounts.create_organization(session, name=name, plan=plan)
            slug = org.slug
    except ValidationFailed as exc:
        raise typer.BadParameter(exc.details[0]["message"]) from exc
    typer.echo(slug)


def _organization_or_exit(session, slug: str):  # noqa: ANN001, ANN202
    from voiceconsole.services import accounts

    organization = accounts.get_organization_by_slug(session, slug)
    if organization is None:
        typer.echo(f"no organization with slug {slug!r}", err=True)
        raise typer.Exit(1)
    return organization


@apikey_app.command("create")
def apikey_create(org: str = typer.Option(..., "--org", help="Organization slug"),
                  name: str = typer.Option(..., "--name", help="A name to recognise the key by")) -> None:
    """Create an API key and print it (shown once; only its hash is stored)."""
    from voiceconsole.db import session_scope
    from voiceconsole.services import api_keys
    from voiceconsole.services.errors import SYSTEM, ValidationFailed

    with session_scope() as session:
        organization = _organization_or_exit(session, org)
        try:
            created = api_keys.create_api_key(session, org=organization, name=name, actor=SYSTEM)
        except ValidationFailed as exc:
            raise typer.BadParameter(exc.details[0]["message"]) from exc
        raw = created.raw
    typer.echo(raw)


@apikey_app.command("revoke")
def apikey_revoke(key: str = typer.Argument(..., help="The key's id (as Settings → API keys lists it) or the key itself"),
                  org: str = typer.Option(..., "--org", help="Organization slug")) -> None:
    """Revoke an API key: every web process refuses it from its next request on."""
    from voiceconsole.db import session_scope
    from voiceconsole.services import api_keys
    from voiceconsole.services.errors import SYSTEM, NotFound

    with session_scope() as session:
        organization = _organization_or_exit(session, org)
        try:
            revoked = api_keys.revoke_api_key(session, org=organization, key_id=key, actor=SYSTEM)
        except NotFound:
            typer.echo("no such active key in that organization", err=True)
            raise typer.Exit(1) from None
        key_id = revoked.public_id
    typer.echo(f"revoked {key_id}")


@app.command()
def demo(simulator_url: str = typer.Option(
        None, "--simulator-url",
        help="A running `voiceconsole simulator` (default: VOICECONSOLE_SIMULATOR_URL). The demo then gets its "
             "agents and calls through Retell and Vapi integrations synced by the worker.")) -> None:
    """Create the demo organization, user and data (once); print a login link and an API key."""
    from voiceconsole.db import session_scope
    from voiceconsole.services.demo import ensure_demo
    from voiceconsole.settings import get_settings

    simulator_url = simulator_url or get_settings().simulator_url
    with session_scope() as session:
        try:
            result = ensure_demo(session, simulator_url=simulator_url)
        except RuntimeError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(1) from None
        if simulator_url:
            typer.echo(f"Connected to the simulator at {simulator_url}: Retell and Vapi syncs queued "
                       "(the worker runs them).")
        typer.echo(("Created" if result.created else "Found") + f" demo organization '{result.organization.slug}'.")
        typer.echo(f"Login link (single use): {result.login_url}")
        typer.echo(f"API key: {result.api_key}")
        if result.inbox_url:
            typer.echo(f"Notifications (webhook, Slack, Discord) arrive at: {result.inbox_url}")


@app.command()
def worker(burst: bool = typer.Option(False, "--burst", help="Work until the queues are empty, then exit."),
           simple: bool = typer.Option(False, "--simple", help="Run jobs in-process (no fork).")) -> None:
    """Run an RQ worker with the periodic scheduler."""
    _logging()
    from voiceconsole.jobs.worker import run_worker

    run_worker(burst=burst, simple=simple)


@app.command("score")
def score(file: str = typer.Argument(..., help="JSON, a JSON array or JSON Lines of calls; - for stdin"),
          platform: str = typer.Option(..., "--platform", help="retell | vapi | elevenlabs")) -> None:
    """Score calls given in a platform's own JSON shape; prints one JSON line per call."""
    from voiceconsole.scoring.cli import score_file

    raise typer.Exit(score_file(file, platform))


@app.command()
def simulator(port: int = typer.Option(8090, "--port", help="Port to listen on"),
              host: str = typer.Option("127.0.0.1", "--host"),
              seed: int = typer.Option(7, "--seed", help="Same seed, same agents and calls"),
              calls: int = typer.Option(2000, "--calls", help="Calls per platform"),
              agents: int = typer.Option(12, "--agents", help="Agents per platform")) -> None:
    """Run the platform simulator: Retell, Vapi and ElevenLabs APIs at /retell, /vapi, /elevenlabs."""
    from voiceconsole.platforms.simulator.cli import run_simulator

    run_simulator(port, host=host, seed=seed, calls=calls, agents=agents)


@app.command("redis-url")
def redis_url() -> None:
    """Print the Redis URL in use (starting the embedded server if none is configured)."""
    from voiceconsole.settings import get_settings

    typer.echo(get_settings().redis_url)


def main() -> None:
    app()


if __name__ == "__main__":
    main()

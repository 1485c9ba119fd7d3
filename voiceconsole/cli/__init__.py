"""The `voiceconsole` command for operators and scripts (DESIGN.md §9).

This module is the command surface: names, options and help. What each command does is in
`operations` (and `score`), imported only when a command runs, so that `voiceconsole --help` and the
light commands start at once instead of loading the whole domain layer (about a second).
"""

from __future__ import annotations

import typer

from voiceconsole.stripe_simulator.cli import command as stripe_simulator_command

app = typer.Typer(help="VoiceConsole operator commands.", no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
org_app = typer.Typer(help="Organizations.", no_args_is_help=True)
apikey_app = typer.Typer(help="API keys.", no_args_is_help=True)
calls_app = typer.Typer(help="Stored calls.", no_args_is_help=True)
billing_app = typer.Typer(help="Billing with Stripe.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(calls_app, name="calls")
app.add_typer(org_app, name="org")
app.add_typer(apikey_app, name="apikey")
app.command("stripe-simulator")(stripe_simulator_command)
app.add_typer(billing_app, name="billing")


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head")) -> None:
    """Apply migrations (the only way the schema changes)."""
    from voiceconsole.cli import operations  # on use: keeps --help instant

    operations.db_upgrade(revision)


@org_app.command("create")
def org_create(name: str, plan: str = typer.Option("free", help="free | pro | agency")) -> None:
    """Create an organization and print its slug."""
    from voiceconsole.cli import operations  # on use: keeps --help instant

    operations.org_create(name, plan)


@org_app.command("plan")
def org_plan(slug: str, plan: str = typer.Argument(..., help="free | pro | agency")) -> None:
    """Set an organization's plan by hand (billing off, or a plan given for free). Agents past the new plan's
    limit stop being monitored; agents it lets back in have their past calls imported."""
    from voiceconsole.cli import operations  # on use: keeps --help instant

    operations.org_plan(slug, plan)


@billing_app.command("setup")
def billing_setup() -> None:
    """Create or find the products, prices, credit packs and the AI-credit meter in Stripe (idempotent)."""
    from voiceconsole.cli import operations  # on use: keeps --help instant

    operations.billing_setup()


@apikey_app.command("create")
def apikey_create(
    org: str = typer.Option(..., "--org", help="Organization slug"),
    name: str = typer.Option(..., "--name", help="A name to recognise the key by"),
) -> None:
    """Create an API key and print it (shown once; only its hash is stored)."""
    from voiceconsole.cli import operations  # on use: keeps --help instant

    operations.apikey_create(org, name)


@apikey_app.command("revoke")
def apikey_revoke(
    key: str = typer.Argument(..., help="The key's id (as Settings → API keys lists it) or the key itself"),
    org: str = typer.Option(..., "--org", help="Organization slug"),
) -> None:
    """Revoke an API key: every web process refuses it from its next request on."""
    from voiceconsole.cli import operations  # on use: keeps --help instant

    operations.apikey_revoke(org, key)


@calls_app.command("remap")
def calls_remap(
    platform: str = typer.Option(None, "--platform", help="retell | vapi | elevenlabs (default: all)"),
    since: str = typer.Option(
        None, "--since", help="Only calls started on or after this date or time (ISO 8601, UTC unless it says)"
    ),
    batch: int = typer.Option(500, "--batch", min=1, max=5000, help="Calls per transaction"),
) -> None:
    """Map the stored raw platform payloads again with today's mapping (no request to the platforms);
    calls whose values change are rescored. Safe to run again: a second run changes nothing."""
    from voiceconsole.cli import operations  # on use: keeps --help instant

    operations.calls_remap(platform, since, batch)


@app.command()
def demo(
    simulator_url: str = typer.Option(
        None,
        "--simulator-url",
        help="A running `voiceconsole simulator` (default: VOICECONSOLE_SIMULATOR_URL). The demo then gets its "
        "agents and calls through Retell and Vapi integrations synced by the worker.",
    ),
) -> None:
    """Create the demo organization, user and data (once); print a login link and an API key."""
    from voiceconsole.cli import operations  # on use: keeps --help instant

    operations.demo(simulator_url)


@app.command()
def worker(
    burst: bool = typer.Option(False, "--burst", help="Work until the queues are empty, then exit."),
    simple: bool = typer.Option(False, "--simple", help="Run jobs in-process (no fork)."),
    queues: str = typer.Option(
        "", "--queues", help="Comma-separated queues to work (scoring, notify, default, sync); default: all"
    ),
) -> None:
    """Run an RQ worker with the periodic scheduler."""
    from voiceconsole.cli import operations  # on use: keeps --help instant

    operations.worker(burst=burst, simple=simple, queues=queues)


@app.command("score")
def score(
    file: str = typer.Argument(..., help="JSON, a JSON array or JSON Lines of calls; - for stdin"),
    platform: str = typer.Option(..., "--platform", help="retell | vapi | elevenlabs"),
) -> None:
    """Score calls given in a platform's own JSON shape; prints one JSON line per call."""
    from voiceconsole.cli.score import score_file  # on use: keeps --help instant

    raise typer.Exit(score_file(file, platform))


@app.command()
def simulator(
    port: int = typer.Option(8090, "--port", help="Port to listen on"),
    host: str = typer.Option("127.0.0.1", "--host"),
    seed: int = typer.Option(7, "--seed", help="Same seed, same agents and calls"),
    calls: int = typer.Option(2000, "--calls", help="Calls per platform"),
    agents: int = typer.Option(12, "--agents", help="Agents per platform"),
) -> None:
    """Run the platform simulator: Retell, Vapi and ElevenLabs APIs at /retell, /vapi, /elevenlabs."""
    from voiceconsole.platforms.simulator.cli import run_simulator  # on use: keeps --help instant

    run_simulator(port, host=host, seed=seed, calls=calls, agents=agents)


@app.command("redis-url")
def redis_url() -> None:
    """Print the Redis URL in use (starting the embedded server if none is configured)."""
    from voiceconsole.settings import get_settings  # on use: keeps --help instant

    typer.echo(get_settings().redis_url)


def main() -> None:
    app()

"""`voiceconsole stripe-simulator`: a local Stripe in the foreground, for the demo and manual testing.

Point the product at it with `STRIPE_SECRET_KEY=sk_test_simulator`, the API base printed here and
the same `--webhook-secret` as `STRIPE_WEBHOOK_SECRET`. `python -m voiceconsole.stripe_simulator.cli`
runs it without the main CLI.
"""

from __future__ import annotations

from collections.abc import Callable

import typer

API_KEY = "sk_test_simulator"  # any key starting with sk_test_ is accepted; this is the one we print
DEFAULT_PORT = 12111  # stripe-mock's port, so habits carry over
DEFAULT_SECRET = "whsec_simulator"


def run_stripe_simulator(
    port: int = DEFAULT_PORT,
    host: str = "127.0.0.1",
    webhook_url: str | None = None,
    webhook_secret: str = DEFAULT_SECRET,
    log_level: str = "warning",
    echo: Callable[[str], None] = print,
) -> None:
    """Print how to reach it, then serve until interrupted."""
    import uvicorn  # on use: keeps `voiceconsole --help` instant

    from voiceconsole.stripe_simulator.server import create_app

    base = f"http://{host}:{port}"
    echo(f"Stripe simulator at {base}")
    echo(f"  API key          {API_KEY}   (StripeClient(key, base_addresses={{'api': '{base}'}}))")
    echo(f"  webhook secret   {webhook_secret}")
    no_url = '(none yet: POST /_sim/webhook {"url": …, "secret": …})'
    echo(f"  webhooks to      {webhook_url or no_url}")
    echo(f"  test switches    {base}/_sim  (see voiceconsole/stripe_simulator/control.py)")
    uvicorn.run(create_app(webhook_url, webhook_secret), host=host, port=port, log_level=log_level)


def command(
    port: int = typer.Option(DEFAULT_PORT, "--port", help="Port to listen on"),
    host: str = typer.Option("127.0.0.1", "--host"),
    webhook_url: str = typer.Option(None, "--webhook-url", help="Where to POST signed events"),
    webhook_secret: str = typer.Option(DEFAULT_SECRET, "--webhook-secret", help="The whsec_… events are signed with"),
) -> None:
    """Run a local Stripe (customers, prices, meters, Checkout, Portal, subscriptions, invoices, webhooks)."""
    run_stripe_simulator(port, host=host, webhook_url=webhook_url, webhook_secret=webhook_secret)


if __name__ == "__main__":
    typer.run(command)

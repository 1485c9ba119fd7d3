"""What the `voiceconsole` commands do: each calls the services or the worker and prints the outcome."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import typer
from sqlmodel import Session

from voiceconsole.db import session_scope
from voiceconsole.enqueue import QUEUE_NAMES
from voiceconsole.jobs.worker import WorkerNotReady, run_worker
from voiceconsole.migrations import upgrade
from voiceconsole.models import PLANS, Organization
from voiceconsole.platforms.base import PLATFORMS
from voiceconsole.services import accounts, api_keys
from voiceconsole.services.access import SYSTEM
from voiceconsole.services.billing import subscription as billing
from voiceconsole.services.billing.webhooks import HANDLED as HANDLED_EVENTS
from voiceconsole.services.demo import ensure_demo
from voiceconsole.services.errors import NotFound, ValidationFailed
from voiceconsole.services.intake.remap import RemapOutcome, remap_calls
from voiceconsole.settings import get_settings


def db_upgrade(revision: str) -> None:
    upgrade(revision)
    typer.echo(f"database at {revision}")


def org_create(name: str, plan: str) -> None:
    if plan not in PLANS:
        raise typer.BadParameter(f"plan must be one of {', '.join(PLANS)}")
    try:
        with session_scope() as session:
            org = accounts.create_organization(session, name=name, plan=plan)
            slug = org.slug
    except ValidationFailed as exc:
        raise typer.BadParameter(exc.details[0]["message"]) from exc
    typer.echo(slug)


def org_plan(slug: str, plan: str) -> None:
    if plan not in PLANS:
        raise typer.BadParameter(f"plan must be one of {', '.join(PLANS)}")
    with session_scope() as session:
        organization = _organization_or_exit(session, slug)
        changed = billing.set_plan(session, organization, plan)
        has_subscription = organization.stripe_subscription_id is not None
    typer.echo(f"{slug}: {plan}" if changed else f"{slug} is already on {plan}")
    if has_subscription:
        typer.echo("note: this organization pays through Stripe; its next subscription event sets the plan it pays for")


def billing_setup() -> None:
    from voiceconsole.services.billing.setup import ensure_catalogue  # imports the Stripe SDK: only here
    from voiceconsole.services.billing.stripe_gateway import BillingOff

    try:
        report = ensure_catalogue()
    except BillingOff as exc:
        typer.echo(exc.details[0]["message"], err=True)
        raise typer.Exit(1) from exc
    for line in report.created:
        typer.echo(f"created {line}")
    for line in report.kept:
        typer.echo(f"found   {line}")
    typer.echo(f"Stripe is set up. Webhook URL: {get_settings().base_url}/api/billing/stripe/webhook")
    typer.echo("Events to send: " + ", ".join(HANDLED_EVENTS))


def _organization_or_exit(session: Session, slug: str) -> Organization:
    organization = accounts.get_organization_by_slug(session, slug)
    if organization is None:
        typer.echo(f"no organization with slug {slug!r}", err=True)
        raise typer.Exit(1)
    return organization


def apikey_create(org: str, name: str) -> None:
    with session_scope() as session:
        organization = _organization_or_exit(session, org)
        try:
            created = api_keys.create_api_key(session, org=organization, name=name, actor=SYSTEM)
        except ValidationFailed as exc:
            raise typer.BadParameter(exc.details[0]["message"]) from exc
    typer.echo(created.key)


def apikey_revoke(org: str, key: str) -> None:
    with session_scope() as session:
        organization = _organization_or_exit(session, org)
        try:
            revoked = api_keys.revoke_api_key(session, org=organization, key_id=key, actor=SYSTEM)
        except NotFound:
            typer.echo("no such active key in that organization", err=True)
            raise typer.Exit(1) from None
    typer.echo(f"revoked {revoked.id}")


def demo(simulator_url: str | None) -> None:
    simulator_url = simulator_url or get_settings().simulator_url
    with session_scope() as session:
        try:
            result = ensure_demo(session, simulator_url=simulator_url)
        except RuntimeError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(1) from None
        if simulator_url:
            typer.echo(
                f"Connected to the simulator at {simulator_url}: Retell and Vapi syncs queued (the worker runs them)."
            )
        typer.echo(("Created" if result.created else "Found") + f" demo organization '{result.organization.slug}'.")
        typer.echo(f"Login link (single use): {result.login_url}")
        typer.echo(f"API key: {result.api_key}")
        if result.inbox_url:
            typer.echo(f"Notifications (webhook, Slack, Discord) arrive at: {result.inbox_url}")


def calls_remap(platform: str | None, since: str | None, batch: int) -> None:
    if platform is not None and platform not in PLATFORMS:
        typer.echo(f"Unknown platform {platform!r}: use one of {', '.join(PLATFORMS)}", err=True)
        raise typer.Exit(2)
    start = None
    if since:
        try:
            start = datetime.fromisoformat(since.strip())
        except ValueError:
            typer.echo(f"--since must be a date or time such as 2026-11-01 or 2026-11-01T08:00Z: {since!r}", err=True)
            raise typer.Exit(2) from None
        start = start.replace(tzinfo=UTC) if start.tzinfo is None else start.astimezone(UTC)

    def report(outcome: RemapOutcome) -> None:
        typer.echo(f"  {outcome.seen:,} payloads read, {outcome.changed:,} calls changed", err=True)

    outcome = remap_calls(platform=platform, since=start, batch=batch, progress=report)
    typer.echo(
        f"Remapped {outcome.seen:,} calls: {outcome.changed:,} changed, {outcome.rescoring:,} queued for scoring, "
        f"{outcome.failed:,} failed"
    )
    if outcome.failed:
        typer.echo(f"Failed (see the log): {', '.join(outcome.failures)}", err=True)
        raise typer.Exit(1)


def worker(*, burst: bool, simple: bool, queues: str = "") -> None:
    names = [q.strip() for q in queues.split(",") if q.strip()]
    unknown = [q for q in names if q not in QUEUE_NAMES]
    if unknown:
        raise typer.BadParameter(f"unknown queue {unknown[0]!r}; queues: {', '.join(QUEUE_NAMES)}")
    logging.basicConfig(level=get_settings().log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs every request at INFO: a sync of thousands of calls would flood the worker's log.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        run_worker(burst=burst, simple=simple, queues=names or None)
    except WorkerNotReady as exc:
        typer.echo(f"The worker cannot start: {exc}", err=True)
        raise typer.Exit(1) from None

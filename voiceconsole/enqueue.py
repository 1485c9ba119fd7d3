"""Queueing background work: the one module that doors, services and jobs call to enqueue.

Jobs are named by their dotted path, so this module imports no job and no service (RQ imports the
job in the worker when it runs): services may ask for work without the jobs layer above them.
Whether a request may add a job is decided here, by one of three policies, each written once:

- `once_per_bucket`: at most one job per time bucket (its id is `{name}-{bucket}`): periodic work
  that every worker's ticker asks for, "Sync now" pressed twice in the same minute.
- `collapsed`: not while the same work is still waiting (the waiting run reads the latest state when
  it starts); while it runs, one more run may wait: behind it, or (`wait_for_running=False`, the
  notification pumps, which must not delay new events) beside it.
- `scheduled_earliest`: one scheduled run, the earliest asked for (the next notification retry).

The ids these policies give jobs are scoped to the deployment (`scoped`), and every job carries the
deployment's instance id (`StampedQueue`), which workers check (jobs/worker.py).

Queues, in the order a worker drains them: notifications are short jobs people wait for (DESIGN.md
§6: seconds), so they come before the default queue and the long sync jobs.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any, cast

from rq import Queue, Retry
from rq.exceptions import DuplicateJobError, NoSuchJobError
from rq.job import Dependency, Job, JobStatus
from rq.registry import ScheduledJobRegistry

from voiceconsole.db import instance_id
from voiceconsole.redis_client import get_redis

QUEUE_NAMES = ("scoring", "notify", "default", "sync")
# A job whose worker host died is found abandoned by another worker's registry cleanup (jobs/worker.py runs it
# every minute) and runs again if it has retries left: scoring and syncs are idempotent, so they get some.
LOST_WORKER_RETRY = Retry(max=3, interval=[10, 60, 300])
# A sync that fails raises for the record (the integration shows the error; the next periodic sync tries again):
# with this mark, its retries are only for a run lost with its worker (jobs/worker.py), never for a failure.
RETRY_IF_LOST_ONLY = {"retry": "lost_only"}
_WAITING = (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED)

# The jobs, by dotted path (tests check that each one resolves).
SYNC = "voiceconsole.jobs.sync.sync_integration_job"
CONNECTION_TEST = "voiceconsole.jobs.sync.connection_test_job"
DUE_SYNCS = "voiceconsole.jobs.sync.enqueue_due_syncs_job"
OPEN_CALL_POLLS = "voiceconsole.jobs.open_calls.enqueue_open_call_polls_job"
OPEN_CALL_POLL = "voiceconsole.jobs.open_calls.poll_open_calls_job"
SCORE_CALLS = "voiceconsole.jobs.scoring.score_calls_job"
RESCORE = "voiceconsole.jobs.scoring.rescore_organization_job"
RESCORE_OUTDATED = "voiceconsole.jobs.scoring.rescore_outdated_job"
COACH = "voiceconsole.jobs.scoring.coach_call_job"
AGENT_STATS = "voiceconsole.jobs.agent_stats.recompute_agent_stats_job"
DAILY_SUMMARIES = "voiceconsole.jobs.daily_summary.record_daily_summaries_job"
NOTIFY_DISPATCH = "voiceconsole.jobs.notifications.dispatch_events_job"
NOTIFY_DELIVER = "voiceconsole.jobs.notifications.deliver_due_job"
NOTIFY_SWEEP = "voiceconsole.jobs.notifications.notify_sweep_job"
EMAIL = "voiceconsole.jobs.email.send_email_job"
BACKFILL_AGENT = "voiceconsole.jobs.backfill.backfill_agent_job"
DRIFT_CHECK = "voiceconsole.jobs.builder.drift_check_job"
USAGE_REPORT = "voiceconsole.jobs.billing.report_usage_job"
BILLING_UPKEEP = "voiceconsole.jobs.billing.billing_upkeep_job"
JOBS = (
    DRIFT_CHECK,
    USAGE_REPORT,
    BILLING_UPKEEP,
    SYNC,
    CONNECTION_TEST,
    DUE_SYNCS,
    OPEN_CALL_POLLS,
    OPEN_CALL_POLL,
    SCORE_CALLS,
    RESCORE,
    RESCORE_OUTDATED,
    COACH,
    AGENT_STATS,
    DAILY_SUMMARIES,
    NOTIFY_DISPATCH,
    NOTIFY_DELIVER,
    NOTIFY_SWEEP,
    EMAIL,
    BACKFILL_AGENT,
)

TICK_SECONDS = 300  # periodic checks: due syncs, daily summaries, outdated scores
NOTIFY_TICK_SECONDS = 30  # the notifications sweep (see jobs/scheduler.py for why so often)
SYNC_BUCKET_S = 60
OPEN_CALLS_TICK_SECONDS = 60  # calls seen in progress are asked about again this often
OPEN_CALL_POLL_TIMEOUT_S = 300  # a run stops asking after services/intake/open_calls.TIME_BUDGET_S
SYNC_TIMEOUT_S = 4 * 3600  # a first import of a large account takes a while
TEST_BUCKET_S = 10
SCORING_BATCH = 200
NOTIFY_TIMEOUT_S = 900  # the pump stops itself well before (PUMP_MAX_SECONDS in jobs/notifications.py)
PUMP_PREFIX = "notify-pump-at-"
INSTANCE_META = "instance"  # job.meta key: the database the job was queued for


class StampedQueue(Queue):
    """A queue whose every job carries the instance id of the database it was queued for (`db.instance_id`):
    a worker attached to the same Redis but another database leaves it alone (jobs/worker.py)."""

    def create_job(self, *args: Any, **kwargs: Any) -> Job:  # RQ passes `meta` by keyword
        kwargs["meta"] = {INSTANCE_META: instance_id(), **(kwargs.get("meta") or {})}
        return super().create_job(*args, **kwargs)


def scoped(job_id: str) -> str:
    """A policy job id within this deployment (`i1a2b3c4d-sync-7-…`): job ids are global to a Redis
    database, so two deployments sharing one by mistake must not take each other's "already queued"
    slot (nor may the leftover job of a deployment that is gone block ours)."""
    instance = instance_id()
    return f"i{instance.replace('-', '')[:8]}-{job_id}" if instance else job_id


def get_queue(name: str = "default") -> Queue:
    if name not in QUEUE_NAMES:
        raise ValueError(f"unknown queue {name!r}")
    return StampedQueue(name, connection=get_redis(), default_timeout=600)


def all_queues() -> list[Queue]:
    return [get_queue(n) for n in QUEUE_NAMES]


# --------------------------------------------------------------------------------------------------
# The policies
# --------------------------------------------------------------------------------------------------


def once_per_bucket(
    queue_name: str, func: str, *args: Any, name: str, seconds: int, now: float | None = None, **options: Any
) -> bool:
    """Enqueue at most once per `seconds`-long time bucket (job id `{name}-{bucket}`), however many callers
    ask: periodic work stays single without any coordination between workers. True if this call enqueued."""
    bucket = int((now or time.time()) // seconds)
    options.setdefault("result_ttl", seconds * 2)
    options.setdefault("failure_ttl", 86400)
    try:
        get_queue(queue_name).enqueue(func, *args, job_id=scoped(f"{name}-{bucket}"), unique=True, **options)
        return True
    except DuplicateJobError:
        return False


def collapsed(
    queue_name: str, func: str, *args: Any, job_id: str, wait_for_running: bool = True, **options: Any
) -> bool:
    """Enqueue unless the same work is already waiting. While a run is in progress one more run may
    wait, behind it (it depends on the running one) or, with `wait_for_running=False`, beside it.
    True if this call enqueued."""
    queue = get_queue(queue_name)
    options.setdefault("result_ttl", 300)
    options.setdefault("failure_ttl", 86400)
    job_id = scoped(job_id)
    for slot, behind in ((job_id, None), (f"{job_id}-next", job_id)):
        try:
            job: Job | None = Job.fetch(slot, connection=queue.connection)
        except NoSuchJobError:
            job = None
        if job is not None:
            status = job.get_status(refresh=False)
            if status in _WAITING:
                return False
            if status == JobStatus.STARTED:
                continue  # running: try the second slot
            job.delete()  # finished, failed or stopped: make room for a fresh run
        if behind and wait_for_running:
            # RQ refuses `unique` with a dependency: two processes racing here write the same job id
            # twice, which leaves one job all the same.
            queue.enqueue(func, *args, job_id=slot, depends_on=Dependency(jobs=[behind], allow_failure=True), **options)
            return True
        try:
            queue.enqueue(func, *args, job_id=slot, unique=True, **options)
            return True
        except DuplicateJobError:
            return False  # enqueued concurrently by another process
    return False


def scheduled_earliest(queue_name: str, func: str, *, at: datetime, prefix: str, **options: Any) -> bool:
    """Make sure `func` runs at `at`: at most one scheduled run (job ids starting with `prefix`) is kept,
    the earliest needed. True if this call scheduled one."""
    queue = get_queue(queue_name)
    registry = ScheduledJobRegistry(queue=queue)
    when = at.timestamp()
    prefix = scoped(prefix)
    # redis-py types every command `Awaitable | Any` (shared with its asyncio client); this client is
    # synchronous: ZRANGE WITHSCORES answers (member, score) pairs.
    entries = cast("list[tuple[bytes | str, float]]", queue.connection.zrange(registry.key, 0, -1, withscores=True))
    scheduled = [(job_id.decode() if isinstance(job_id, bytes) else job_id, score) for job_id, score in entries]
    scheduled = [(job_id, score) for job_id, score in scheduled if job_id.startswith(prefix)]
    if any(score <= when + 0.5 for _, score in scheduled):
        return False  # one already runs at or before then, and it schedules the next one
    for job_id, _ in scheduled:  # later ones are superseded by this earlier one
        try:
            Job.fetch(job_id, connection=queue.connection).delete()
        except Exception:  # noqa: BLE001 (already moved to the queue or gone)
            queue.connection.zrem(registry.key, job_id)
    queue.enqueue_at(at, func, job_id=f"{prefix}{int(when * 1000)}", **options)
    return True


# --------------------------------------------------------------------------------------------------
# The work callers ask for
# --------------------------------------------------------------------------------------------------


def sync(integration_id: int, *, now: float | None = None) -> bool:
    """A sync of the integration; False when one is already queued in this minute (two syncs of different
    minutes may still overlap: the sync's own lock then makes the second return at once)."""
    return once_per_bucket(
        "sync",
        SYNC,
        integration_id,
        name=f"sync-{integration_id}",
        seconds=SYNC_BUCKET_S,
        now=now,
        job_timeout=SYNC_TIMEOUT_S,
        result_ttl=3600,
        failure_ttl=7 * 86400,
        retry=LOST_WORKER_RETRY,
        meta=RETRY_IF_LOST_ONLY,
    )


def open_call_poll(integration_id: int) -> bool:
    """Ask the platform about the integration's calls still open; collapsed while one waits (it reads the
    open calls when it starts), one more may wait behind a running one."""
    return collapsed(
        "default",
        OPEN_CALL_POLL,
        integration_id,
        job_id=f"open-calls-{integration_id}",
        job_timeout=OPEN_CALL_POLL_TIMEOUT_S,
        result_ttl=120,
    )


def connection_test(integration_id: int) -> bool:
    return once_per_bucket(
        "default",
        CONNECTION_TEST,
        integration_id,
        name=f"integration-test-{integration_id}",
        seconds=TEST_BUCKET_S,
        job_timeout=300,
        result_ttl=600,
    )


def scoring(call_ids: list[int] | set[int]) -> int:
    """Score new or changed calls, in batches. Returns how many calls were queued."""
    ids = sorted(set(call_ids))
    queue = get_queue("scoring")
    for i in range(0, len(ids), SCORING_BATCH):
        queue.enqueue(
            SCORE_CALLS, ids[i : i + SCORING_BATCH], result_ttl=300, failure_ttl=86400, retry=LOST_WORKER_RETRY
        )
    return len(ids)


def agent_stats(agent_ids: set[int] | list[int]) -> None:
    """Recompute agents' cached stats; collapsed per agent while a run is waiting."""
    for agent_id in sorted(set(agent_ids)):
        collapsed("default", AGENT_STATS, agent_id, job_id=f"agent-stats-{agent_id}", result_ttl=60)


def rescoring(org_id: int, *, client_id: int | None = None) -> bool:
    """Rescore an organization's (or one client's) calls; one waiting run is enough (it reads the latest
    weights)."""
    scope = f"client-{client_id}" if client_id is not None else "all"
    return collapsed("default", RESCORE, org_id, client_id, job_id=f"rescore-{org_id}-{scope}", job_timeout=3600)


def coaching(call_id: int) -> bool:
    """Coach a call in the background; collapsed while a request is waiting."""
    return collapsed("scoring", COACH, call_id, job_id=f"coaching-{call_id}")


def notify_dispatch() -> bool:
    """Fan out newly recorded events to their channels, then send what is due."""
    return collapsed(
        "notify",
        NOTIFY_DISPATCH,
        job_id="notify-dispatch",
        wait_for_running=False,
        job_timeout=NOTIFY_TIMEOUT_S,
        result_ttl=60,
    )


def notify_delivery() -> bool:
    """Send the deliveries due now."""
    return collapsed(
        "notify",
        NOTIFY_DELIVER,
        job_id="notify-deliver",
        wait_for_running=False,
        job_timeout=NOTIFY_TIMEOUT_S,
        result_ttl=60,
    )


def notify_delivery_at(at: datetime) -> bool:
    """Send the deliveries due at `at` (the next retry), keeping only the earliest such run."""
    return scheduled_earliest(
        "notify",
        NOTIFY_DELIVER,
        at=at,
        prefix=PUMP_PREFIX,
        job_timeout=NOTIFY_TIMEOUT_S,
        result_ttl=60,
        failure_ttl=86400,
    )


def email(*, to: str, subject: str, text: str, html: str | None = None) -> None:
    get_queue("notify").enqueue(
        EMAIL, to=to, subject=subject, text=text, html=html, retry=Retry(max=3, interval=[10, 60, 300])
    )


def drift_check(integration_id: int) -> bool:
    """Compare the agents built here with what their platform holds now (after a sync)."""
    return collapsed("default", DRIFT_CHECK, integration_id, job_id=f"drift-check-{integration_id}", result_ttl=300)


def usage_report() -> bool:
    """Report AI credits spent past the allowance to Stripe's meter (retried through an outage; the meter
    dedupes by each spend's id, so a retry never counts twice)."""
    return collapsed(
        "default",
        USAGE_REPORT,
        job_id="billing-usage-report",
        retry=Retry(max=8, interval=[10, 30, 60, 300, 900, 1800, 3600, 3600]),
        result_ttl=300,
    )


def sync_at(integration_id: int, at: datetime) -> bool:
    """A sync of the integration at `at`: the retry of one that found another sync holding its lock. At most
    one such retry is kept per integration, the earliest asked for. True if this call scheduled one."""
    return scheduled_earliest(
        "sync",
        SYNC,
        at=at,
        prefix=f"sync-retry-{integration_id}-",
        args=(integration_id,),
        job_timeout=SYNC_TIMEOUT_S,
        result_ttl=3600,
        failure_ttl=7 * 86400,
    )


def backfill_agent(agent_id: int) -> bool:
    """Import the past calls of an agent that became monitored (plan limits: services/intake/backfill.py).
    One job per agent (id `backfill-agent-{id}`): collapsed while one waits, one more may wait behind a
    running one; a platform outage is retried."""
    return collapsed(
        "sync",
        BACKFILL_AGENT,
        agent_id,
        job_id=f"backfill-agent-{agent_id}",
        job_timeout=SYNC_TIMEOUT_S,
        result_ttl=3600,
        failure_ttl=7 * 86400,
        retry=Retry(max=3, interval=[60, 300, 900]),
    )


def backfill_agent_at(agent_id: int, at: datetime) -> bool:
    """The backfill again at `at`: it found its integration's sync running (it waits for the sync lock)."""
    return scheduled_earliest(
        "sync",
        BACKFILL_AGENT,
        at=at,
        prefix=f"backfill-retry-{agent_id}-",
        args=(agent_id,),
        job_timeout=SYNC_TIMEOUT_S,
        result_ttl=3600,
        failure_ttl=7 * 86400,
    )


# --- periodic: asked for by every worker's ticker (jobs/scheduler.py), enqueued once per bucket -------


def due_syncs(now: float | None = None) -> bool:
    """Look for integrations whose periodic sync is due."""
    return once_per_bucket("default", DUE_SYNCS, name="dispatch", seconds=TICK_SECONDS, now=now)


def open_call_polls(now: float | None = None) -> bool:
    """Look for integrations with calls still open and queue a poll of each (every minute)."""
    return once_per_bucket(
        "default", OPEN_CALL_POLLS, name="open-calls-dispatch", seconds=OPEN_CALLS_TICK_SECONDS, now=now, result_ttl=120
    )


def daily_summaries(now: float | None = None) -> bool:
    """Record the daily summaries that are due (each is one event per audience and day, however often
    this runs)."""
    return once_per_bucket("default", DAILY_SUMMARIES, name="daily-summary", seconds=TICK_SECONDS, now=now)


def outdated_rescoring(now: float | None = None) -> bool:
    """Look for organizations whose calls predate the current scorer version."""
    return once_per_bucket("default", RESCORE_OUTDATED, name="rescore-outdated", seconds=TICK_SECONDS, now=now)


def billing_upkeep(now: float | None = None) -> bool:
    """Billing's safety net: grace periods that ended (Free's limits), usage not reported yet."""
    return once_per_bucket("default", BILLING_UPKEEP, name="billing-upkeep", seconds=TICK_SECONDS, now=now)


def notify_sweep(now: float | None = None) -> bool:
    """The notifications safety net: fan out missed events, send what is due."""
    return once_per_bucket(
        "notify", NOTIFY_SWEEP, name="notify-sweep", seconds=NOTIFY_TICK_SECONDS, now=now, job_timeout=NOTIFY_TIMEOUT_S
    )


# --- leads (services/campaigns/imports.py) ------------------------------------------------------------

LEAD_IMPORT = "voiceconsole.jobs.leads.lead_import_job"
# One more job than the tuple above (so another type to mypy).
JOBS = (*JOBS, LEAD_IMPORT)  # type: ignore[assignment]
LEAD_IMPORT_TIMEOUT_S = 3600  # 100,000 rows take well under a minute; a 50 MB file of wide rows, longer


def lead_import(import_id: int) -> bool:
    """Write an import's rows into leads. One job per import (collapsed while one waits); a worker lost
    mid-way is retried, and the rerun resumes at the last committed row."""
    return collapsed(
        "default",
        LEAD_IMPORT,
        import_id,
        job_id=f"lead-import-{import_id}",
        job_timeout=LEAD_IMPORT_TIMEOUT_S,
        result_ttl=3600,
        failure_ttl=7 * 86400,
        retry=LOST_WORKER_RETRY,
    )


# --- campaigns (services/campaigns/dispatcher.py) -------------------------------------------------------

CAMPAIGN_DISPATCH = "voiceconsole.jobs.campaigns.dispatch_campaigns_job"
JOBS = (*JOBS, CAMPAIGN_DISPATCH)  # type: ignore[assignment]
CAMPAIGN_TICK_SECONDS = 15  # bucket of the dispatch pass (the ticker asks every NOTIFY_TICK_SECONDS)


def campaign_dispatch(now: float | None = None) -> bool:
    """One dispatch pass over the running campaigns (claims, dials, outcomes, retries)."""
    return once_per_bucket(
        "default",
        CAMPAIGN_DISPATCH,
        name="campaign-dispatch",
        seconds=CAMPAIGN_TICK_SECONDS,
        now=now,
        job_timeout=600,
        result_ttl=60,
    )

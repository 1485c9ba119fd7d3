"""Signed webhook delivery in a background thread, with retries and a log of every attempt.

Each event is POSTed as Stripe does: the JSON body, `Content-Type: application/json; charset=utf-8`
and `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>` made by the SDK's own
`stripe.WebhookSignature.generate_signature_header`, so `stripe.Webhook.construct_event` verifies it.
The signature is made per attempt (a resend or retry carries a fresh timestamp, like Stripe's).

One thread sends in the order events are queued (so `/_sim/release {"order": "reverse"}` arrives
reversed); an answer other than 2xx, or no answer, is retried after `RETRY_DELAYS_S` without holding
up the events queued behind it. Outcomes are in `EventRecord.attempts` (`GET /_sim/events`).
"""

from __future__ import annotations

import heapq
import itertools
import json
import threading
import time

import httpx
import stripe

from voiceconsole.stripe_simulator.state import StripeState

RETRY_DELAYS_S = (0.2, 0.5, 1.0)  # after the 1st, 2nd and 3rd failed attempt; then the event is `failed`
TIMEOUT_S = 5.0


class WebhookSender:
    def __init__(self, state: StripeState) -> None:
        self.state = state
        self._queue: list[tuple[float, int, str, int]] = []  # (due, order, event id, attempt number)
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._stopped = False
        self._sending = False
        self._http = httpx.Client(timeout=TIMEOUT_S)
        self._thread = threading.Thread(target=self._run, name="stripe-simulator-webhooks", daemon=True)
        self._thread.start()

    def enqueue(self, event_id: str, attempt: int = 1, delay: float = 0.0) -> None:
        with self._wake:
            heapq.heappush(self._queue, (time.monotonic() + delay, next(self._order), event_id, attempt))
            self._wake.notify()

    def idle(self) -> bool:
        """Nothing queued or being retried."""
        with self._wake:
            return not self._queue and not self._sending

    def stop(self) -> None:
        with self._wake:
            self._stopped = True
            self._wake.notify()
        self._thread.join(timeout=5)
        self._http.close()

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._stopped and (not self._queue or self._queue[0][0] > time.monotonic()):
                    self._wake.wait(self._queue[0][0] - time.monotonic() if self._queue else None)
                if self._stopped:
                    return
                _, _, event_id, attempt = heapq.heappop(self._queue)
                self._sending = True  # `idle()` stays false while a delivery runs
            try:
                self._deliver(event_id, attempt)
            finally:
                with self._wake:
                    self._sending = False

    def _deliver(self, event_id: str, attempt: int) -> None:
        with self.state.lock:
            record = self.state.events.get(event_id)
            url, secret = self.state.webhook_url, self.state.webhook_secret
            if record is None or url is None:
                return
            body = json.dumps(record.event, indent=2)  # Stripe sends indented JSON
        header = stripe.WebhookSignature.generate_signature_header(body, secret)
        status: int | None = None
        error: str | None = None
        try:
            response = self._http.post(
                url,
                content=body.encode(),
                headers={"Content-Type": "application/json; charset=utf-8", "Stripe-Signature": header},
            )
            status = response.status_code
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        ok = status is not None and 200 <= status < 300
        with self.state.lock:
            record.attempts.append({"at": time.time(), "url": url, "status": status, "error": error})
            if ok:
                record.status = "delivered"
            elif attempt <= len(RETRY_DELAYS_S):
                record.status = "pending"
                self.enqueue(event_id, attempt + 1, RETRY_DELAYS_S[attempt - 1])
            else:
                record.status = "failed"

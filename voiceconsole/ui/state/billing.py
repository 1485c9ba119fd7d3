"""Settings → Billing: the plan and its status, what of it is used, the plans and credit packs on sale, the
overage switch and the invoices (services/billing).

Owners manage; admins read; members and client viewers are refused by the service and the page says so.
Upgrading and buying credits go through Stripe Checkout (the browser leaves for Stripe and comes back to
`/billing?checkout=done`); what they change arrives by webhook, so after the return the overview is read
again a few times until the change shows.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import reflex as rx

from voiceconsole.schemas import BillingOut, InvoiceOut
from voiceconsole.services.access.permissions import can, is_client_viewer
from voiceconsole.services.billing import checkout, overview
from voiceconsole.services.billing.plans import in_grace_lapse, plan_for
from voiceconsole.services.errors import DomainError, Forbidden
from voiceconsole.ui import format as fmt
from voiceconsole.ui.state.auth import AuthState, OrgScope

# After Checkout: how often and how long to read the overview again while the webhook is on its way.
RETURN_POLL_S = 1.5
RETURN_POLL_LIMIT = 8
READ_REFUSED = "Only owners and admins can see billing."
STATUS_LABELS = {"active": "Active", "trialing": "Trial", "past_due": "Past due", "canceled": "Canceled"}


def money(cents: int, currency: str) -> str:
    """An invoice amount: '$49.00' in dollars, '49.00 EUR' in any other currency."""
    if currency.lower() == "usd":
        return f"{'−' if cents < 0 else ''}${abs(cents) / 100:,.2f}"
    return f"{cents / 100:,.2f} {currency.upper()}"


def date_label(value, tz: str | None) -> str:
    """'Dec 1, 2025' in the organization's timezone."""
    moment = fmt.parse_iso(value)
    if moment is None:
        return fmt.DASH
    local = moment.astimezone(fmt.zone(tz))
    return f"{local:%b} {local.day}, {local.year}"


def limit_text(value: int | None) -> str:
    return "unlimited" if value is None else fmt.count(value)


@dataclass
class UsageRow:
    key: str = ""
    label: str = ""
    used: str = ""  # "3 / 15", "3 of unlimited"
    percent: int = 0  # 0–100 for the bar; 0 when unlimited
    note: str = ""
    bar: bool = True  # packs and overage are counts, not shares of a limit


@dataclass
class PlanCard:
    slug: str = ""
    name: str = ""
    price: str = ""  # "$49 / month"
    features: list[str] = field(default_factory=list)
    current: bool = False
    paid: bool = False  # Checkout sells it (Free is never bought)


@dataclass
class PackOffer:
    slug: str = ""
    credits: str = ""  # "1,000 AI credits"
    price: str = ""  # "$15"


@dataclass
class InvoiceRow:
    id: str = ""
    number: str = ""
    date: str = ""
    amount: str = ""
    status: str = ""
    status_label: str = ""
    pdf_url: str = ""


def usage_rows(out: BillingOut, tz: str | None) -> list[UsageRow]:
    lim, use = out.limits, out.usage

    def share(used: int, limit: int | None) -> tuple[str, int]:
        if limit is None:
            return f"{fmt.count(used)} of unlimited", 0
        return f"{fmt.count(used)} / {fmt.count(limit)}", min(100, round(100 * used / limit)) if limit else 100

    agents, agents_pct = share(use.agents, lim.agents)
    seats, seats_pct = share(use.seats, lim.seats)
    monthly_used = min(use.credits_used, lim.credits) if lim.credits else use.credits_used
    credits, credits_pct = share(monthly_used, lim.credits)
    reset = date_label(use.credits_reset_at, tz)
    return [
        UsageRow("agents", "Monitored agents", agents, agents_pct),
        UsageRow("seats", "Team seats", seats, seats_pct, "Client viewers take no seat"),
        UsageRow("credits", "AI credits this month", credits, credits_pct, f"Resets on {reset}"),
        UsageRow("packs", "Pack credits", fmt.count(use.pack_credits), 0, "Bought credits never lapse", bar=False),
        UsageRow(
            "overage",
            "Overage credits this month",
            fmt.count(use.overage_credits),
            0,
            "Billed with the next invoice" if out.overage else "Overage is off",
            bar=False,
        ),
    ]


def plan_cards(out: BillingOut) -> list[PlanCard]:
    def features(p) -> list[str]:
        agents = "Unlimited monitored agents" if p.agents is None else f"{fmt.count(p.agents)} monitored agents"
        seats = "Unlimited team seats" if p.seats is None else f"{fmt.count(p.seats)} team seats"
        if p.agents == 1:
            agents = "1 monitored agent"
        if p.seats == 1:
            seats = "1 team seat"
        return [
            agents,
            seats,
            f"{fmt.count(p.credits)} AI credits a month",
            f"API: {fmt.count(p.per_minute)} requests/min, {fmt.count(p.per_second)}/s",
        ]

    return [
        PlanCard(
            slug=p.slug,
            name=p.name,
            price=f"${p.price_usd:,} / month",
            features=features(p),
            current=p.slug == out.plan,
            paid=p.price_usd > 0,
        )
        for p in out.plans
    ]


def invoice_row(inv: InvoiceOut, tz: str | None) -> InvoiceRow:
    return InvoiceRow(
        id=inv.id,
        number=inv.number or fmt.DASH,
        date=date_label(inv.date, tz),
        amount=money(inv.amount, inv.currency),
        status=inv.status,
        status_label=fmt.label(inv.status),
        pdf_url=inv.pdf_url or "",
    )


class BillingState(AuthState):
    loaded: bool = False
    error: str = ""  # the page could not be read (refused, Stripe down)
    action_error: str = ""  # the last button's refusal, under the buttons
    plan: str = ""
    plan_name: str = ""
    status: str = ""
    status_label: str = ""
    period_text: str = ""  # "Renews on …", "Cancels on …"
    usage: list[UsageRow] = []
    plans: list[PlanCard] = []
    packs: list[PackOffer] = []
    overage: bool = False
    overage_price: str = ""
    billing_enabled: bool = False
    has_billing_account: bool = False
    has_subscription: bool = False  # a paid plan that is not canceled: switching goes through the portal
    can_manage_billing: bool = False  # owners
    limited_to_free: bool = False  # a failed payment's grace ended: Free's limits apply (the limits shown)
    invoices: list[InvoiceRow] = []
    invoices_error: str = ""
    checkout_returned: str = ""  # "done" or "canceled" after coming back from Checkout
    busy: str = ""  # the button waiting for Stripe: "plan:pro", "pack:credits_1000" or "portal"
    _poll_generation: int = 0

    # --- reading -------------------------------------------------------------------------------------

    def _show(self, out: BillingOut, scope: OrgScope) -> None:
        tz = self.timezone
        names = {p.slug: p.name for p in out.plans}
        self.plan, self.plan_name = out.plan, names.get(out.plan, fmt.label(out.plan))
        self.status, self.status_label = out.status, STATUS_LABELS.get(out.status, fmt.label(out.status))
        if out.period_end is None:
            self.period_text = ""
        elif out.cancel_at_period_end or out.status == "canceled":
            self.period_text = f"Cancels on {date_label(out.period_end, tz)}"
        else:
            self.period_text = f"Renews on {date_label(out.period_end, tz)}"
        self.usage = usage_rows(out, tz)
        self.plans = plan_cards(out)
        self.packs = [
            PackOffer(slug=p.slug, credits=f"{fmt.count(p.credits)} AI credits", price=f"${p.price_usd:,}")
            for p in out.credit_packs
        ]
        self.overage = out.overage
        self.overage_price = f"${out.overage_usd_per_credit} per credit past your allowance, billed monthly"
        self.billing_enabled, self.has_billing_account = out.billing_enabled, out.has_billing_account
        self.has_subscription = out.plan != "free" and out.status != "canceled" and out.has_billing_account
        self.can_manage_billing = can(scope.actor, "billing.manage")
        self.limited_to_free = out.limited_to_free
        self.loaded = True

    def _read(self, scope: OrgScope) -> None:
        self._show(overview.billing_overview(scope.session, org=scope.org, actor=scope.actor), scope)

    def _refused(self, exc: DomainError) -> None:
        self.loaded = False
        self.error = READ_REFUSED if isinstance(exc, Forbidden) else fmt.error_text(exc)

    @rx.event
    def load(self):
        self.error = self.action_error = self.invoices_error = ""
        self.busy = ""
        self.loaded = False
        self.invoices = []
        self._poll_generation += 1
        self.checkout_returned = self.router.url.query_parameters.get("checkout", "")
        if self.checkout_returned not in ("done", "canceled"):
            self.checkout_returned = ""
        then = [BillingState.load_invoices]
        if self.checkout_returned == "done":
            then.append(BillingState.follow_checkout)
        return self._org_action(self._read, failed=self._refused, done=lambda _: then)

    @rx.event
    def load_invoices(self):
        """Invoices come from Stripe itself: when it cannot be asked, the rest of the page still shows."""
        if not self.loaded:
            return None

        def read(scope: OrgScope) -> None:
            rows = overview.list_invoices(scope.session, org=scope.org, actor=scope.actor)
            self.invoices = [invoice_row(r, self.timezone) for r in rows]

        def failed(exc: DomainError) -> None:
            self.invoices, self.invoices_error = [], fmt.error_text(exc)

        self.invoices_error = ""
        return self._org_action(read, failed=failed)

    @rx.event(background=True)
    async def follow_checkout(self):
        """Back from Checkout: the webhook that changes the plan (or adds the credits) may land a moment
        later, so read the overview again a few times, then the invoices once."""
        async with self:
            generation = self._poll_generation
            before = (self.plan, self.status, [u.used for u in self.usage])
        for _ in range(RETURN_POLL_LIMIT):
            await asyncio.sleep(RETURN_POLL_S)
            async with self:
                if self._poll_generation != generation or self.router.url.path.rstrip("/") != "/billing":
                    return None
                self._org_action(self._read, failed=self._refused)
                if (self.plan, self.status, [u.used for u in self.usage]) != before:
                    break
        async with self:
            if self._poll_generation == generation:
                return BillingState.load_invoices
        return None

    # --- acting --------------------------------------------------------------------------------------

    def _go_to_stripe(self, busy: str, work):
        """Ask the service for a Stripe URL and send the browser there; a refusal shows as a toast and
        under the buttons."""

        def failed(exc: DomainError):
            self.busy, self.action_error = "", fmt.error_text(exc)
            return rx.toast.error(self.action_error)

        def done(out):
            return rx.redirect(out.url)

        self.busy, self.action_error = busy, ""
        return self._org_action(work, failed=failed, done=done)

    @rx.event
    def upgrade(self, plan: str):
        return self._go_to_stripe(
            f"plan:{plan}",
            lambda scope: checkout.start_checkout(scope.session, org=scope.org, actor=scope.actor, plan=plan),
        )

    @rx.event
    def buy_credits(self, pack: str):
        return self._go_to_stripe(
            f"pack:{pack}",
            lambda scope: checkout.start_checkout(scope.session, org=scope.org, actor=scope.actor, credit_pack=pack),
        )

    @rx.event
    def manage(self):
        return self._go_to_stripe(
            "portal", lambda scope: checkout.open_portal(scope.session, org=scope.org, actor=scope.actor)
        )

    @rx.event
    def set_overage(self, on: bool):
        def change(scope: OrgScope) -> None:
            self._show(overview.set_overage(scope.session, org=scope.org, actor=scope.actor, on=on), scope)

        def failed(exc: DomainError):
            self.action_error = fmt.error_text(exc)
            return rx.toast.error(self.action_error)

        def done(_: None):
            return rx.toast.success("Overage is on" if on else "Overage is off")

        self.action_error = ""
        return self._org_action(change, failed=failed, done=done)


def payment_notice(org, tz: str | None) -> tuple[str, str]:
    """(kind, text) of the banner every page shows for a failed payment, or ("", "") when all is paid.

    "limited": the grace period ended and Free's limits apply; "past_due": the grace period is running.
    """
    if in_grace_lapse(org):
        return "limited", "Your payment is overdue: Free plan limits apply until it is paid."
    if org.billing_status != "past_due":
        return "", ""
    by = f" by {date_label(org.grace_ends_at, tz)}" if org.grace_ends_at is not None else ""
    return "past_due", f"Payment failed: update your payment method{by} to keep {plan_for(org.plan).name}."


class PaymentNoticeState(AuthState):
    """The failed-payment banner of the signed-in shell (components/billing_banner.py), read as each page
    mounts. The agency's staff see it, owners with a link to billing; a client viewer's portal never shows
    the agency's payments."""

    notice: str = ""  # "", "past_due" or "limited"
    notice_text: str = ""
    notice_links_billing: bool = False

    @rx.event
    def load_notice(self):
        def read(scope: OrgScope) -> None:
            if is_client_viewer(scope.actor):
                self.notice, self.notice_text = "", ""
                return
            self.notice, self.notice_text = payment_notice(scope.org, self.timezone)
            self.notice_links_billing = can(scope.actor, "billing.manage")

        def signed_out() -> None:  # the page's own guard sends the browser to the login page
            self.notice, self.notice_text = "", ""

        return self._org_action(read, signed_out=signed_out)

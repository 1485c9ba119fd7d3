"""Billing: the plan and its usage, Checkout and the Customer Portal, invoices, overage — and Stripe's
webhook (signed by Stripe; no API key)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import ConfigDict, Field, StrictBool
from starlette.concurrency import run_in_threadpool

from voiceconsole.api.deps import PrincipalDep, SessionDep
from voiceconsole.api.envelope import ok, page_of
from voiceconsole.api.inputs import RequestBody
from voiceconsole.api.params import Paging, page_only
from voiceconsole.db import session_scope
from voiceconsole.services import billing
from voiceconsole.services.billing import checkout, overview
from voiceconsole.services.billing.webhooks import receive_stripe_webhook

router = APIRouter(prefix="/billing", tags=["billing"])


class CheckoutIn(RequestBody):
    model_config = ConfigDict(extra="forbid")
    plan: Literal["pro", "agency"] | None = Field(default=None, description="Subscribe to this plan")
    creditPack: Literal[tuple(billing.CREDIT_PACKS)] | None = Field(  # type: ignore[valid-type]
        default=None, description="Buy this pack of AI credits once"
    )


class BillingPatchIn(RequestBody):
    model_config = ConfigDict(extra="forbid")
    overage: StrictBool = Field(description="Go on past the AI credits (billed per credit at the period's end)")


@router.get("", summary="The plan, its status, limits and usage (owners and admins)")
def get_billing(principal: PrincipalDep, session: SessionDep):
    return ok(overview.billing_overview(session, org=principal.org, actor=principal.actor).wire())


@router.patch("", summary="Turn AI-credit overage on or off (owners)")
def patch_billing(body: BillingPatchIn, principal: PrincipalDep, session: SessionDep):
    out = overview.set_overage(session, org=principal.org, actor=principal.actor, on=body.overage)
    session.commit()
    return ok(out.wire())


@router.get("/invoices", summary="Invoices, newest first, as Stripe has them (owners and admins)")
def get_invoices(principal: PrincipalDep, session: SessionDep, pg: Annotated[Paging, Depends(page_only)]):
    rows = overview.list_invoices(session, org=principal.org, actor=principal.actor)
    return page_of([r.wire() for r in rows], page=pg.page, per_page=pg.per_page)


@router.post("/checkout", summary="Start Stripe Checkout for a plan or a credit pack (owners); returns its URL")
def post_checkout(body: CheckoutIn, principal: PrincipalDep, session: SessionDep):
    out = checkout.start_checkout(
        session, org=principal.org, actor=principal.actor, plan=body.plan, credit_pack=body.creditPack
    )
    session.commit()
    return ok(out.wire())


@router.post("/portal", summary="Open the Stripe Customer Portal (owners); returns its URL")
def post_portal(principal: PrincipalDep, session: SessionDep):
    out = checkout.open_portal(session, org=principal.org, actor=principal.actor)
    session.commit()
    return ok(out.wire())


@router.post("/stripe/webhook", include_in_schema=False)
async def stripe_webhook(request: Request):
    """Stripe's events: 400 when the signature is missing, forged or older than five minutes; 200 once
    handled (or already handled); 503 when Stripe cannot be read back meanwhile (Stripe sends it again)."""
    body = await request.body()
    signature = request.headers.get("stripe-signature")

    def receive() -> dict:
        with session_scope() as session:
            return receive_stripe_webhook(session, payload=body, signature=signature).wire()

    return ok(await run_in_threadpool(receive))

"""The hosted pages a customer sees: Checkout, the Customer Portal and invoices (HTML and a PDF).

Plain server-rendered HTML with real forms, so a browser test (or an httpx form POST) drives them as
a person would: "Pay" completes the Checkout session and redirects (303) to `success_url` with
`{CHECKOUT_SESSION_ID}` filled in; the Portal's "Switch to <product>" and "Cancel at period end"
buttons change the subscription and come back to the Portal.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from voiceconsole.stripe_simulator import forms, lifecycle
from voiceconsole.stripe_simulator.state import StripeError, StripeState


def router(state: StripeState) -> APIRouter:
    r = APIRouter(include_in_schema=False)

    @r.get("/checkout/{session_id}")
    def checkout_page(session_id: str) -> Response:
        return _page_or_error(lambda: _checkout(state, session_id))

    @r.post("/checkout/{session_id}/pay")
    def pay(session_id: str, request: Request) -> Response:
        try:
            with state.lock:
                session = state.read("checkout.session", session_id)
                if session["status"] == "open":
                    session = lifecycle.complete_checkout(state, session_id, _base(request))
                elif session["status"] != "complete":  # a second click on Pay just goes on
                    raise StripeError(400, f"This Checkout session is {session['status']}.")
        except StripeError as exc:
            return _error(exc)
        return RedirectResponse(session["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id), status_code=303)

    @r.get("/portal/{session_id}")
    def portal_page(session_id: str) -> Response:
        return _page_or_error(lambda: _portal(state, session_id))

    @r.post("/portal/{session_id}/subscriptions/{sub_id}/{action}")
    async def portal_action(session_id: str, sub_id: str, action: str, request: Request) -> Response:
        form = forms.decode(await request.body())
        try:
            with state.lock:
                session = state.read("billing_portal.session", session_id)
                sub = state.read("subscription", sub_id)
                if sub["customer"] != session["customer"]:
                    raise StripeError(404, "No such subscription for this customer.")
                _portal_change(state, sub, action, form, _base(request))
        except StripeError as exc:
            return _error(exc)
        return RedirectResponse(f"/portal/{session_id}", status_code=303)

    @r.get("/invoices/{invoice_id}")
    def invoice_page(invoice_id: str) -> Response:
        return _page_or_error(lambda: _invoice(state, invoice_id))

    @r.get("/invoices/{invoice_id}/pdf")
    def invoice_pdf(invoice_id: str) -> Response:
        try:
            inv = state.read("invoice", invoice_id)
        except StripeError as exc:
            return _error(exc)
        text = [
            f"Invoice {inv['number']}",
            f"Status: {inv['status']}",
            f"Total: {_money(inv['total'], inv['currency'])}",
        ]
        text += [f"{line['description']}: {_money(line['amount'], line['currency'])}" for line in inv["lines"]["data"]]
        return Response(
            _pdf(text),
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{inv["number"]}.pdf"'},
        )

    return r


def _checkout(state: StripeState, session_id: str) -> str:
    session = state.read("checkout.session", session_id)
    items = state.checkout_items[session_id]
    rows = "".join(
        f"<tr><td>{_e(i['description'])}</td><td>{i['quantity'] if i['quantity'] is not None else 'metered'}</td>"
        f"<td>{_money(i['amount_total'], i['currency'])}{_per(i['price'])}</td></tr>"
        for i in items
    )
    total = _money(session["amount_total"], session["currency"] or "usd")
    if session["status"] != "open":
        action = f"<p>This Checkout session is {_e(session['status'])}.</p>"
    else:
        action = (
            f'<form method="post" action="/checkout/{_e(session_id)}/pay">'
            f'<button type="submit" aria-label="Pay {total}">Pay {total}</button></form>'
        )
    cancel = f'<p><a href="{_e(session["cancel_url"])}">Cancel</a></p>' if session["cancel_url"] else ""
    who = session["customer_email"] or session["customer"] or ""
    return _html(
        "Checkout",
        f"<h1>Checkout</h1><p>{_e(who)}</p>"
        f"<table><caption>Order summary</caption><thead><tr><th scope='col'>Item</th><th scope='col'>Quantity</th>"
        f"<th scope='col'>Amount</th></tr></thead><tbody>{rows}</tbody></table>"
        f"<p>Total due today: <strong>{total}</strong></p>{action}{cancel}",
    )


def _portal(state: StripeState, session_id: str) -> str:
    session = state.read("billing_portal.session", session_id)
    subs = [s for s in state.all("subscription") if s["customer"] == session["customer"] and s["status"] != "canceled"]
    sections = "".join(_portal_subscription(state, session_id, sub) for sub in subs) or "<p>No active subscription.</p>"
    invoices = [i for i in state.all("invoice") if i["customer"] == session["customer"]]
    history = "".join(
        f"<li><a href='{_e(i['hosted_invoice_url'])}'>{_e(i['number'])}</a> · {_date(i['created'])} · "
        f"{_money(i['total'], i['currency'])} · {_e(i['status'])}</li>"
        for i in invoices
    )
    back = f'<p><a href="{_e(session["return_url"])}">Return</a></p>' if session["return_url"] else ""
    return _html(
        "Customer portal",
        f"<h1>Billing</h1>{sections}<h2>Invoice history</h2><ul>{history or '<li>No invoices yet.</li>'}</ul>{back}",
    )


def _portal_subscription(state: StripeState, session_id: str, sub: dict[str, Any]) -> str:
    item = next((i for i in sub["items"]["data"] if _licensed(i["price"])), sub["items"]["data"][0])
    current = item["price"]
    name = _product_name(state, current)
    prices = [
        p
        for p in state.all("price")
        if p["active"] and p["type"] == "recurring" and _licensed(p) and p["id"] != current["id"]
    ]
    base = f"/portal/{_e(session_id)}/subscriptions/{_e(sub['id'])}"
    switches = "".join(
        f'<form method="post" action="{base}/switch"><input type="hidden" name="price" value="{_e(p["id"])}">'
        f'<button type="submit">Switch to {_e(_product_name(state, p))}</button> '
        f"{_money(p['unit_amount'] or 0, p['currency'])}{_per(p)}</form>"
        for p in prices
    )
    ends = _date(item["current_period_end"])
    if sub["cancel_at_period_end"]:
        cancel = f"<p>Cancels on {ends}.</p>"
    else:
        cancel = (
            f'<form method="post" action="{base}/cancel"><button type="submit">Cancel at period end</button></form>'
        )
    return (
        f"<section aria-label='{_e(name)} subscription'><h2>{_e(name)}</h2>"
        f"<p>{_money(current['unit_amount'] or 0, current['currency'])}{_per(current)} · status {_e(sub['status'])} · "
        f"renews {ends}</p>{switches}{cancel}</section>"
    )


def _portal_change(state: StripeState, sub: dict[str, Any], action: str, form: dict[str, Any], base_url: str) -> None:
    if action == "switch":
        item = next(i for i in sub["items"]["data"] if _licensed(i["price"]))
        change = [{"id": item["id"], "price": form.get("price", "")}]
        lifecycle.update_subscription(
            state,
            sub["id"],
            items=change,
            cancel_at_period_end=None,
            metadata=None,
            proration_behavior="always_invoice",
            base_url=base_url,
        )
    elif action == "cancel":
        lifecycle.update_subscription(
            state,
            sub["id"],
            items=[],
            cancel_at_period_end=True,
            metadata=None,
            proration_behavior="none",
            base_url=base_url,
        )
    else:
        raise StripeError(404, f"No portal action {action}.")


def _invoice(state: StripeState, invoice_id: str) -> str:
    inv = state.read("invoice", invoice_id)
    rows = "".join(
        f"<tr><td>{_e(line['description'])}</td><td>{_money(line['amount'], line['currency'])}</td></tr>"
        for line in inv["lines"]["data"]
    )
    return _html(
        f"Invoice {inv['number']}",
        f"<h1>Invoice {_e(inv['number'])}</h1><p>Status: {_e(inv['status'])} · {_date(inv['created'])}</p>"
        f"<table><caption>Lines</caption><tbody>{rows}</tbody></table>"
        f"<p>Total: {_money(inv['total'], inv['currency'])}</p>"
        f"<p><a href='{_e(inv['invoice_pdf'])}'>Download PDF</a></p>",
    )


def _pdf(lines: list[str]) -> bytes:
    """A one-page PDF with these lines of text (Helvetica; text kept to Latin-1)."""
    safe = [line.encode("latin-1", "replace").decode("latin-1") for line in lines]
    text = "".join(
        f"BT /F1 12 Tf 72 {760 - 18 * i} Td ({s.replace(chr(92), '').replace('(', '[').replace(')', ']')}) Tj ET\n"
        for i, s in enumerate(safe)
    )
    bodies = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(text.encode('latin-1'))} >>\nstream\n{text}endstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for n, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(bodies) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(bodies) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def _page_or_error(render: Any) -> Response:
    try:
        return HTMLResponse(render())
    except StripeError as exc:
        return _error(exc)


def _error(exc: StripeError) -> Response:
    return HTMLResponse(
        _html("Error", f"<h1>Something went wrong</h1><p role='alert'>{_e(exc.message)}</p>"), exc.status
    )


def _html(title: str, body: str) -> str:
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{_e(title)} · Stripe simulator</title>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'></head>"
        f"<body><main>{body}</main></body></html>"
    )


def _licensed(price_obj: dict[str, Any]) -> bool:
    return (price_obj["recurring"] or {}).get("usage_type") == "licensed"


def _product_name(state: StripeState, price_obj: dict[str, Any]) -> str:
    found = state.find(price_obj["product"])
    return found["name"] if found else price_obj["product"]


def _per(price_obj: dict[str, Any]) -> str:
    rec = price_obj["recurring"]
    return f" / {rec['interval']}" if rec else ""


def _money(amount: int, currency: str) -> str:
    return f"{amount / 100:,.2f} {currency.upper()}"


def _date(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d")


def _e(value: Any) -> str:
    return html.escape(str(value if value is not None else ""), quote=True)


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")

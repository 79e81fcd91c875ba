"""The customer pages: order look-up, tracking, inbox and notification preferences.

No staff login: an order is shown only with proof, either the signed link every
notice carries (/track/{number}?t=...) or the order number plus the last four digits
of the phone, which redirects to that link. Look-ups are rate-limited in the
database per client address and per order number; a wrong number and a wrong phone
tail get the same answer after the same database work.
"""

from __future__ import annotations

import hmac
import math
import secrets
import unicodedata
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select, update

from orderflow import clock, ids, shortlinks
from orderflow.customers import links, lookups
from orderflow.customers import service as customers
from orderflow.customers.links import Scope
from orderflow.customers.models import Customer
from orderflow.db import Db
from orderflow.errors import ValidationFailed
from orderflow.notify import milestones
from orderflow.notify.models import InboxMessage
from orderflow.orders.models import Order
from orderflow.web import customer_security as guard
from orderflow.web import customer_views as views
from orderflow.web import i18n
from orderflow.web.customer_prefs import save_preferences
from orderflow.web.i18n import N_
from orderflow.web.rendering import environment

router = APIRouter(include_in_schema=False)

LOOKUP_WINDOW = timedelta(minutes=15)
TRIES_PER_CLIENT = 10
TRIES_PER_NETWORK = 30  # one /24 (IPv4) or /64 (IPv6): spreading over its addresses
TRIES_PER_ORDER = 5  # from every address together; past it, each try waits longer (back-off)
NO_TAIL = "\x00" * 4  # compared against when there is no order: never equals 4 digits

NOT_FOUND = N_("We could not find an order with that number and phone number. "
               "Check both and try again.")
BAD_LINK = N_("This link is not valid. Look up your order with its number and phone number.")
EXPIRED_LINK = N_("This link has expired. Look up your order with its number and phone "
                  "number, or open the link in a newer message from us.")
NEEDS_FULL_LINK = N_("Messages and notification settings open only from the link in a "
                     "message we sent you. Your order is shown below.")
FIELD_MESSAGES = {
    "number": N_("Enter the order number from your confirmation message."),
    "phone_tail": N_("Enter the last 4 digits of the phone number on the order."),
    "first_channel": N_("Choose how we should reach you first."),
    "second_channel": N_("Choose a second way that differs from the first."),
    "language": N_("Choose a language."),
}

Text = Annotated[str, Form(max_length=100)]


def _db(request: Request) -> Db:
    db: Db = request.app.state.db
    return db


def page(request: Request, template: str, context: dict[str, Any] | None = None, *,
         status_code: int = 200, scripts: bool = False) -> HTMLResponse:
    """Renders a customer page in the visitor's language, with the form token and the
    protective headers (a script nonce only where the page has a script)."""
    settings = guard.settings_of(request)
    language, chosen = guard.language_of(request)
    nonce, new_nonce = guard.form_nonce(request)
    context = dict(context or {})
    context.setdefault("form_token", guard.form_token(settings, nonce))
    script_nonce = secrets.token_urlsafe(16) if scripts else None
    lang_links = context.pop("lang_links", None) or guard.language_links(request)
    html = environment(language).get_template(template).render(
        request=request, lang=language, lang_links=lang_links,
        shop_name=settings.shop_name, service_phone=settings.service_phone,
        zone=settings.timezone, script_nonce=script_nonce, field_messages=FIELD_MESSAGES,
        **context)
    response = HTMLResponse(html, status_code=status_code)
    if chosen:
        guard.remember_language(response, request, language)
    if new_nonce:
        guard.set_form_cookie(response, request, nonce)
    guard.harden(response, script_nonce=script_nonce)
    return response


def refused(request: Request) -> HTMLResponse:
    switch = {code: f"/track?lang={code}" for code in i18n.LANGUAGES}
    return page(request, "customer/refused.html", {"lang_links": switch}, status_code=403)


def bad_link(request: Request, proof: links.Proof = links.NONE) -> HTMLResponse:
    """No proof for this order: the look-up form, a neutral word (or that the link has
    expired, when it was a genuine one for this order), nothing about the order."""
    switch = {code: f"/track?lang={code}" for code in i18n.LANGUAGES}
    message = EXPIRED_LINK if proof.expired else BAD_LINK
    return page(request, "customer/lookup.html", {"message": message, "lang_links": switch},
                status_code=410 if proof.expired else 404)


def _order(request: Request, number: str, token: str | None
           ) -> tuple[Order | None, links.Proof]:
    """The order, only when the token is an unexpired signed link for THIS number, and
    what that link proves (the notices' full link, or the look-up's read-only one)."""
    proof = guard.link_proof(guard.settings_of(request), number, token)
    if proof.scope is None or proof.expired:
        return None, proof
    with _db(request).read() as s:
        order: Order | None = s.scalars(select(Order).where(Order.number == number)).first()
        return order, proof


def _links(request: Request, number: str, proof: links.Proof) -> dict[str, str]:
    """The tabs this proof opens: all three with the notices' link, the order alone with
    the look-up's."""
    settings = guard.settings_of(request)
    if not proof.full:
        return {"order": guard.tracking_path(settings, number, scope=Scope.VIEW)}
    return {name: guard.tracking_path(settings, number, suffix)
            for name, suffix in (("order", ""), ("inbox", "/inbox"),
                                 ("preferences", "/preferences"), ("returns", "/returns"))}


def needs_full_link(request: Request, number: str) -> Response:
    """A read-only proof asked for the messages or settings: back to the order."""
    target = guard.tracking_path(guard.settings_of(request), number, scope=Scope.VIEW)
    return RedirectResponse(target + "&limited=1", status_code=303)


# --- look-up -----------------------------------------------------------------------------


@router.get("/track", response_class=HTMLResponse)
def lookup_form(request: Request) -> Response:
    return page(request, "customer/lookup.html")


def _clean(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


@router.post("/track", response_class=HTMLResponse)
def lookup(request: Request, number: Text = "", phone_tail: Text = "",
           form_token: Annotated[str, Form(max_length=300)] = "") -> Response:
    if not guard.form_ok(request, form_token):
        return refused(request)
    settings = guard.settings_of(request)
    digits = ids.normalise_order_number(_clean(number))
    tail = _clean(phone_tail).replace(" ", "")
    errors = [f for f, bad in (("number", not 6 <= len(digits) <= 20),
                               ("phone_tail", not (len(tail) == 4 and tail.isascii()
                                                   and tail.isdigit()))) if bad]
    if errors:
        return page(request, "customer/lookup.html",
                    {"errors": errors, "number": _clean(number)[:40], "form_token": form_token},
                    status_code=422)
    now = clock.utcnow()
    address = guard.client_address(request)
    limits = [lookups.Limit(guard.client_key(settings, "ip", address), TRIES_PER_CLIENT),
              lookups.Limit(guard.client_key(settings, "net", guard.client_network(address)),
                            TRIES_PER_NETWORK),
              lookups.Limit(guard.client_key(settings, "order", digits), TRIES_PER_ORDER,
                            backoff=True)]
    with _db(request).transaction() as s:
        verdict = lookups.record_try(s, limits, now=now, window=LOOKUP_WINDOW)
        row = s.execute(select(Order.number, Order.recipient_phone)
                        .where(Order.number == digits)).first() if verdict.allowed else None
    if not verdict.allowed:
        assert verdict.retry_at is not None
        wait = max(1, math.ceil((verdict.retry_at - now).total_seconds()))
        response = page(request, "customer/too_many.html", {
            "retry_at": views.when(verdict.retry_at, settings)[-5:],
            "minutes": max(1, -(-wait // 60)), "seconds": wait if wait < 60 else None},
            status_code=429)
        response.headers["Retry-After"] = str(wait)
        return response
    # The same comparison whether or not the order exists, in constant time.
    expected = (views.phone_tail(row.recipient_phone) if row else None) or NO_TAIL
    matches = hmac.compare_digest(expected.encode(), tail.encode())
    if matches and row is not None:
        # The number and the phone's last digits prove less than a notice's link: this
        # order, read-only (no messages, no settings), for a day.
        return RedirectResponse(guard.tracking_path(settings, row.number, scope=Scope.VIEW),
                                status_code=303)
    return page(request, "customer/lookup.html",
                {"message": NOT_FOUND, "form_token": form_token}, status_code=404)


# --- the order ------------------------------------------------------------------------------


@router.get("/s/{token}")
def short_link(request: Request, token: str) -> Response:
    """The short signed link SMS notices carry: on to the full signed tracking link."""
    number = shortlinks.number_of(guard.settings_of(request), token)
    if number is None:
        return bad_link(request)
    return RedirectResponse(guard.tracking_path(guard.settings_of(request), number),
                            status_code=303)


@router.get("/track/{number}", response_class=HTMLResponse)
def tracking(request: Request, number: str, t: str | None = None,
             limited: str | None = None) -> Response:
    order, proof = _order(request, number, t)
    if order is None:
        return bad_link(request, proof)
    language, _ = guard.language_of(request)
    with _db(request).read() as s:
        inbox = views.inbox_scope(s, order) if proof.full else None
        view = views.tracking(s, order, guard.settings_of(request), language, inbox=inbox)
    return page(request, "customer/tracking.html",
                {"order": view, "links": _links(request, number, proof), "tab": "order",
                 "message": NEEDS_FULL_LINK if limited == "1" and not proof.full else None},
                scripts=bool(view.parcels))


@router.get("/track/{number}/inbox", response_class=HTMLResponse)
def inbox(request: Request, number: str, t: str | None = None) -> Response:
    order, proof = _order(request, number, t)
    if order is None:
        return bad_link(request, proof)
    if not proof.full:
        return needs_full_link(request, number)
    settings = guard.settings_of(request)
    now = clock.utcnow()
    with _db(request).transaction() as s:
        rows = s.execute(
            select(InboxMessage, Order.number).outerjoin(Order, Order.id == InboxMessage.order_id)
            .where(views.inbox_scope(s, order))
            .order_by(InboxMessage.created_at.desc(), InboxMessage.id.desc()).limit(200)).all()
        messages = [{"subject": m.subject or "", "body": m.body_text, "order": num,
                     "at": views.when(m.created_at, settings), "unread": m.read_at is None}
                    for m, num in rows]
        unread = [m.id for m, _ in rows if m.read_at is None]
        if unread:
            s.execute(update(InboxMessage)
                      .where(InboxMessage.id.in_(unread), InboxMessage.read_at.is_(None))
                      .values(read_at=now).execution_options(synchronize_session=False))
    return page(request, "customer/inbox.html", {
        "number": number, "messages": messages, "links": _links(request, number, proof),
        "tab": "inbox"})


# --- preferences ------------------------------------------------------------------------------


def _prefs_page(request: Request, number: str, prefs: customers.Preferences,
                proof: links.Proof, *,
                errors: list[str] | None = None, saved: bool = False,
                submitted: dict[str, Any] | None = None, status_code: int = 200) -> HTMLResponse:
    chosen = {"first": prefs.channels[0], "second": prefs.channels[1],
              "language": prefs.language, "opt_out": prefs.opt_out_marketing,
              **(submitted or {})}
    return page(request, "customer/preferences.html", {
        "number": number, "chosen": chosen, "channels": customers.CHANNELS,
        "languages": customers.LANGUAGES, "errors": errors or [], "saved": saved,
        "links": _links(request, number, proof), "tab": "preferences",
        "essential": [m.code for m in milestones.MILESTONES.values()
                      if m.customer_facing and m.essential],
        "optional": [m.code for m in milestones.MILESTONES.values()
                     if m.customer_facing and not m.essential]}, status_code=status_code)


def _current(request: Request, order: Order) -> customers.Preferences:
    """The preferences this order's contact has: its customer's when the contact is the
    customer's, else the ones a record of its own would start from (the same)."""
    with _db(request).read() as s:
        customer = s.get(Customer, order.customer_id)
        assert customer is not None
        return customers.preferences_of(customer)


@router.get("/track/{number}/preferences", response_class=HTMLResponse)
def preferences(request: Request, number: str, t: str | None = None,
                saved: str | None = None) -> Response:
    order, proof = _order(request, number, t)
    if order is None:
        return bad_link(request, proof)
    if not proof.full:
        return needs_full_link(request, number)
    return _prefs_page(request, number, _current(request, order), proof, saved=saved == "1")


@router.post("/track/{number}/preferences", response_class=HTMLResponse)
def save(request: Request, number: str, t: str | None = None,
         first_channel: Annotated[str, Form(max_length=16)] = "",
         second_channel: Annotated[str, Form(max_length=16)] = "",
         language: Annotated[str, Form(max_length=8)] = "",
         opt_out_marketing: Annotated[str, Form(max_length=8)] = "",
         form_token: Annotated[str, Form(max_length=300)] = "") -> Response:
    if not guard.form_ok(request, form_token):
        return refused(request)
    order, proof = _order(request, number, t)
    if order is None:
        return bad_link(request, proof)
    if not proof.full:
        return needs_full_link(request, number)
    opt_out = opt_out_marketing in ("1", "on", "true")
    try:
        prefs = customers.check_preferences(first_channel, second_channel, language, opt_out)
    except ValidationFailed as exc:
        submitted = {"first": first_channel, "second": second_channel, "language": language,
                     "opt_out": opt_out}
        return _prefs_page(request, number, _current(request, order), proof,
                           submitted=submitted,
                           errors=[p.field for p in exc.fields], status_code=422)
    save_preferences(_db(request), number, prefs)
    target = guard.tracking_path(guard.settings_of(request), number, "/preferences") + "&saved=1"
    return RedirectResponse(target, status_code=303)

"""The dashboard, the order list and the order page (reads only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from orderflow import money
from orderflow.auth.service import StaffIdentity
from orderflow.db import Db
from orderflow.errors import FieldProblem, NotFound, OrderFlowError, ValidationFailed
from orderflow.fulfilment import stock as fulfilment_stock
from orderflow.notify import delays, watchdogs
from orderflow.orders import lifecycle, merging
from orderflow.orders.models import LINE_QUANTITIES, Order
from orderflow.orders.status import SHIPPED_OR_LATER, TERMINAL, Status
from orderflow.payments.models import PaymentMethod
from orderflow.reports import orders as views
from orderflow.reports.stuck import why_stuck
from orderflow.review import queries as review_queries
from orderflow.review.queries import ClassFilter
from orderflow.shipping import queries as shipping_queries
from orderflow.web import notify_queries, queries, security, tracking_panels
from orderflow.web.aftersales_panel import aftersales_panel
from orderflow.web.rendering import render

router = APIRouter(dependencies=[Depends(security.csrf_guard), Depends(security.require_staff)],
                   include_in_schema=False)

Text = Annotated[str, Query(max_length=100)]


def _db(request: Request) -> Db:
    db: Db = request.app.state.db
    return db


def _zone(request: Request) -> ZoneInfo:
    zone: ZoneInfo = request.app.state.settings.zone
    return zone


@router.get("/", response_class=HTMLResponse)
@router.get("/console", response_class=HTMLResponse)
def dashboard(request: Request) -> Response:
    with _db(request).read() as s:
        counts = queries.counts_by_status(s)
        exceptions = tracking_panels.queue_counts(s)
        stock_alerts = fulfilment_stock.alerts(s)
    return render(request, "dashboard/index.html",
                  {"counts": counts, "total": sum(counts.values()), "exceptions": exceptions,
                   "stock_alerts": stock_alerts,
                   **notify_queries.dashboard_panels(_db(request))})


# --- the list ------------------------------------------------------------------


@dataclass(frozen=True)
class ListArgs:
    status: str = ""
    channel: str = ""
    date_from: str = ""
    date_to: str = ""
    q: str = ""
    urgency: str = ""
    customer_type: str = ""
    category: str = ""
    payment_status: str = ""

    def query(self, **extra: str) -> str:
        params = {"status": self.status, "channel": self.channel, "from": self.date_from,
                  "to": self.date_to, "q": self.q, "urgency": self.urgency,
                  "customer_type": self.customer_type, "category": self.category,
                  "payment_status": self.payment_status, **extra}
        return urlencode({k: v for k, v in params.items() if v})


def _day(value: str, field: str, problems: list[FieldProblem]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(FieldProblem(field, "date.invalid", "use a date such as 2026-01-31"))
        return None


def _start_of(day: date | None, zone: ZoneInfo) -> datetime | None:
    """Midnight of a day in the merchant's zone, as UTC."""
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC) if day else None


def order_filter(args: ListArgs, zone: ZoneInfo) -> views.OrderFilter:
    problems: list[FieldProblem] = []
    status = None
    if args.status:
        try:
            status = Status(args.status)
        except ValueError:
            problems.append(FieldProblem("status", "status.unknown", "not an order status"))
    first = _day(args.date_from, "from", problems)
    last = _day(args.date_to, "to", problems)
    if problems:
        raise ValidationFailed(problems)
    return views.OrderFilter(
        status=status, channel=args.channel or None, placed_from=_start_of(first, zone),
        placed_to=_start_of(last + timedelta(days=1), zone) if last else None,
        text=args.q or None,
        classes=ClassFilter(args.urgency or None, args.customer_type or None,
                            args.category or None, args.payment_status or None))


@router.get("/orders", response_class=HTMLResponse)
def order_list(request: Request, status: Text = "", channel: Text = "",
               date_from: Annotated[str, Query(alias="from", max_length=10)] = "",
               date_to: Annotated[str, Query(alias="to", max_length=10)] = "",
               q: Text = "", cursor: Annotated[str, Query(max_length=64)] = "",
               limit: Annotated[int, Query(ge=1, le=200)] = 50, urgency: Text = "",
               customer_type: Text = "", category: Text = "",
               payment_status: Text = "") -> Response:
    args = ListArgs(status.strip(), channel.strip(), date_from.strip(), date_to.strip(), q.strip(),
                    urgency.strip(), customer_type.strip(), category.strip(),
                    payment_status.strip())
    context: dict[str, Any] = {"args": args, "page": None, "error": None, "limit": limit,
                               "statuses": list(Status), "cursor": cursor}
    with _db(request).read() as s:
        context["channels"] = queries.channels(s)
        context["categories"] = review_queries.categories(s)
        try:
            f = order_filter(args, _zone(request))
            context["page"] = views.list_orders(s, f, cursor=cursor or None, limit=limit)
        except ValidationFailed as exc:
            context["error"] = exc
    extra = {"limit": str(limit)} if limit != 50 else {}
    context["first_url"] = "/orders?" + args.query(**extra)
    page = context["page"]
    if page is not None and page.next_cursor:
        context["next_url"] = "/orders?" + args.query(cursor=page.next_cursor, **extra)
    status_code = 422 if context["error"] else 200
    return render(request, "orders/list.html", context, status_code=status_code)


# --- one order -------------------------------------------------------------------


def actions_for(order: Order, user: StaffIdentity) -> list[str]:
    """The action forms this order offers, by what its lifecycle allows now."""
    if user.role not in security.ORDER_DESK:
        return []
    can = lifecycle.can
    offers = {
        "approve": can(order, Status.APPROVED) and order.status is not Status.ON_HOLD,
        "release": order.status is Status.ON_HOLD and order.hold_resume_status is not None
        and can(order, order.hold_resume_status),
        "hold": can(order, Status.ON_HOLD),
        "cancel": can(order, Status.CANCELLED) and order.status not in SHIPPED_OR_LATER,
        "payment": order.status not in TERMINAL and order.paid_minor < order.total_minor,
    }
    return [name for name, offered in offers.items() if offered]


def detail_page(request: Request, number: str, *, error: OrderFlowError | None = None,
                failed: str | None = None, form: dict[str, str] | None = None,
                status_code: int = 200) -> Response:
    user: StaffIdentity = request.state.user
    with _db(request).read() as s:
        try:
            order = views.get_order(s, number)
        except NotFound:
            return render(request, "errors/not_found.html", {"number": number}, status_code=404)
        view = views.order_view(s, order)
        actions = actions_for(order, user)
        outstanding = money.to_str(max(order.total_minor - order.paid_minor, 0), order.currency)
        refund_due_minor = order.refund_due_minor
        notices = notify_queries.notices(s, order_id=order.id, limit=100)
        relations = merging.relations(s, order)
        language = security.language_of(request)
        blockers = [b.text(language) for b in why_stuck(s, order, _zone(request), language)]
        panels = tracking_panels.order_panels(s, order)
        shipping = shipping_queries.order_panel(s, order)
        held_delay = delays.find_held(s, order.id, order.number)
        aftersales = aftersales_panel(s, order, language)
    context = {
        "order": view, "actions": actions, "error": error, "failed": failed, "form": form or {},
        "quantities": LINE_QUANTITIES, "methods": list(PaymentMethod),
        "outstanding": outstanding, "refund_due_minor": refund_due_minor,
        "field_errors": {p.field: p.message for p in error.fields} if error else {},
        "notices": notices, "resendable": {st.value for st in notify_queries.RESENDABLE},
        "blockers": blockers, "relations": relations,
        **panels,
        "shipping": shipping,
        "held_delay": held_delay, "delay_reasons": watchdogs.DELAY_REASONS,
        "order_desk": user.role in security.ORDER_DESK,
        "aftersales": aftersales,
    }
    return render(request, "orders/detail.html", context, status_code=status_code)


@router.get("/orders/{number}", response_class=HTMLResponse)
def order_detail(request: Request, number: str) -> Response:
    return detail_page(request, number)

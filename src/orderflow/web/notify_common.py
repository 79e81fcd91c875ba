"""Shared bits of the notification screens: the router, who may act, the app's db and
settings."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from orderflow.auth.permissions import Permission
from orderflow.auth.service import StaffIdentity
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.web import notify_labels, security

notify_labels.register()


def router() -> APIRouter:
    """Every notify page needs a signed-in member of staff whose role may read
    notifications (the notices, mailbox, SMS sink, templates and webhooks hold every
    customer's messages: not the warehouse); every POST the CSRF token and a same-origin
    request. Changing anything needs the order desk (service, admin)."""
    return APIRouter(dependencies=[
        Depends(security.csrf_guard), Depends(security.require_staff),
        Depends(security.require_permission(Permission.NOTIFY_READ))],
        include_in_schema=False)


def db_of(request: Request) -> Db:
    db: Db = request.app.state.db
    return db


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def can_act(request: Request) -> bool:
    user: StaffIdentity | None = getattr(request.state, "user", None)
    return user is not None and user.role in security.ORDER_DESK

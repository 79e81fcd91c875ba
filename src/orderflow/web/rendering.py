"""Jinja2 for the console: one environment per language (gettext installed, newstyle),
so a request picks its language without touching shared state."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from orderflow import clock, money, texts
from orderflow.auth import permissions
from orderflow.auth.models import Role
from orderflow.auth.permissions import Permission
from orderflow.config import Settings
from orderflow.web import i18n, security

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


@lru_cache(maxsize=len(i18n.LANGUAGES))
def environment(language: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(i18n.translations(language), newstyle=True)  # type: ignore[attr-defined]
    locale = i18n.LANGUAGES[language]
    env.globals["label"] = lambda group, value: i18n.label(language, group, value)
    # The one permission table, for what a page shows: {% if allows(user, "notify:read") %}
    env.globals["allows"] = lambda user, permission: user is not None and (
        permissions.role_allows(Role(user.role), Permission(permission)))
    env.globals["language_names"] = i18n.LANGUAGE_NAMES
    env.globals["error_codes"] = frozenset(i18n.ERROR_LABELS)
    # System-written text (a code + params) in the reader's language; free text as is.
    env.globals["say"] = lambda code, params=None: texts.render(language, code, params)
    env.filters["money"] = lambda amount, currency: money.display(
        money.to_minor(amount, currency), currency, locale=locale)
    env.filters["money_minor"] = lambda minor, currency: money.display(
        minor, currency, locale=locale)
    return env


def local_time(value: datetime | None, settings: Settings) -> str:
    if value is None:
        return ""
    return clock.local(value, settings.zone).strftime("%Y-%m-%d %H:%M")


def render(request: Request, template: str, context: dict[str, Any] | None = None,
           *, status_code: int = 200) -> HTMLResponse:
    language = security.language_of(request)
    settings = _settings(request)
    page = environment(language).get_template(template)
    html = page.render(
        request=request,
        lang=language,
        user=getattr(request.state, "user", None),
        csrf_token=security.csrf_token(request),
        flash=request.session.pop("flash", None),
        zone=settings.timezone,
        when=lambda value: local_time(value, settings),
        **(context or {}),
    )
    return HTMLResponse(html, status_code=status_code)


def flash(request: Request, message: str) -> None:
    """A msgid shown once on the next page (translated when it is shown)."""
    request.session["flash"] = message

"""Notice templates: sandboxed Jinja2, checked on save, versioned.

A template may only use the variables its milestone provides: an unknown or
misspelt name is refused when the template is saved, never rendered empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, meta
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from orderflow import clock
from orderflow.errors import FieldProblem, ValidationFailed
from orderflow.notify import default_templates, milestones
from orderflow.notify.default_templates import Parts
from orderflow.notify.models import Template

_text_env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
_html_env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=True)
# Names the template language itself provides.
_BUILTINS = frozenset({"loop", "range", "true", "false", "none"})


@dataclass(frozen=True)
class Rendered:
    version: int
    subject: str | None
    body_text: str
    body_html: str | None


def problems(milestone: str, parts: Parts) -> list[FieldProblem]:
    spec = milestones.get(milestone)
    if spec is None:
        return [FieldProblem("milestone", "template.milestone", f"unknown milestone {milestone}")]
    found = []
    for name, source, env in (("subject", parts.subject, _text_env),
                              ("body_text", parts.body_text, _text_env),
                              ("body_html", parts.body_html, _html_env)):
        if not source:
            continue
        try:
            names = meta.find_undeclared_variables(env.parse(source))
        except TemplateSyntaxError as exc:
            found.append(FieldProblem(name, "template.syntax", f"line {exc.lineno}: {exc.message}"))
            continue
        unknown = sorted(names - spec.variables - _BUILTINS)
        if unknown:
            found.append(FieldProblem(
                name, "template.unknown_variable",
                f"unknown variable(s) {', '.join(unknown)}; "
                f"available: {', '.join(sorted(spec.variables))}"))
    if not parts.body_text.strip():
        found.append(FieldProblem("body_text", "template.empty", "the text body is required"))
    return found


def live(s: Session, milestone: str, channel: str, language: str) -> tuple[int, Parts] | None:
    row = s.scalars(select(Template).where(
        Template.milestone == milestone, Template.channel == channel, Template.language == language,
    ).order_by(Template.version.desc()).limit(1)).first()
    if row is not None:
        return row.version, Parts(row.subject, row.body_text, row.body_html)
    parts = default_templates.default(milestone, channel, language)
    return (0, parts) if parts else None


@lru_cache(maxsize=512)
def _compiled(source: str, html: bool) -> Any:
    """Compiling is most of a render's cost; a template's text is its own cache key."""
    return (_html_env if html else _text_env).from_string(source)


def render(version: int, parts: Parts, context: dict[str, Any]) -> Rendered:
    subject = _compiled(parts.subject, False).render(context) if parts.subject else None
    text = _compiled(parts.body_text, False).render(context)
    html = _compiled(parts.body_html, True).render(context) if parts.body_html else None
    return Rendered(version, subject, text.strip(), html)


def save(s: Session, milestone: str, channel: str, language: str, parts: Parts, *,
         author: str, sample: dict[str, Any] | None = None) -> int:
    """Validate and store a new version; returns its number."""
    found = problems(milestone, parts)
    if not found and sample is not None:
        try:
            render(0, parts, sample)
        except Exception as exc:  # a sandbox or type error on a real order is a template error
            found.append(FieldProblem("body_text", "template.render", str(exc)))
    if found:
        raise ValidationFailed(found)
    current = s.scalar(select(func.max(Template.version)).where(
        Template.milestone == milestone, Template.channel == channel,
        Template.language == language)) or 0
    version = int(current) + 1
    s.add(Template(milestone=milestone, channel=channel, language=language, version=version,
                   subject=parts.subject, body_text=parts.body_text, body_html=parts.body_html,
                   created_by=author, created_at=clock.utcnow()))
    s.flush()
    return version

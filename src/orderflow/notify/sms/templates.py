"""Which provider template a notice uses, and its variables in the provider's order."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from orderflow.notify.channels import Outgoing, PermanentFailure


@dataclass(frozen=True)
class ProviderTemplate:
    """An approved provider template.

    code: Aliyun ``TemplateCode`` (``SMS_123``) or Tencent ``TemplateId`` (``1110``).
    variables: our template parameter names in the provider's order. For Aliyun they are
    also the ``${name}`` names in the template; for Tencent position i fills ``{i+1}``.
    """

    code: str
    variables: tuple[str, ...] = ()


def resolve_template(
    templates: Mapping[str, ProviderTemplate], message: Outgoing
) -> ProviderTemplate:
    """``message.template_code`` is our milestone template key (e.g. ``order_shipped``);
    a provider code already present in the map is accepted as well."""
    key = message.template_code
    if not key:
        raise PermanentFailure("SMS notice has no template", code="sms.no_template")
    if key in templates:
        return templates[key]
    for template in templates.values():
        if template.code == key:
            return template
    raise PermanentFailure(
        f"no approved provider template is configured for {key!r}", code="sms.template_unmapped"
    )


def template_values(template: ProviderTemplate, message: Outgoing) -> list[str]:
    missing = [name for name in template.variables if not message.template_params.get(name)]
    if missing:
        raise PermanentFailure(
            f"template {template.code} needs {', '.join(missing)}", code="sms.template_params"
        )
    return [str(message.template_params[name]) for name in template.variables]

"""Import refusals in the reader's language: each RowError carries a stable code and
its parameters; the sentence is chosen here, at read time, from the gettext catalogs.
A code without a sentence here shows the importer's own (English) message."""

from __future__ import annotations

from typing import Any

from orderflow.web import i18n
from orderflow.web.i18n import N_

REASONS: dict[str, str] = {
    "import.external_id_conflict": N_(
        "external_id '{id}' is also on line {other} with a different {columns}; "
        "neither is imported"),
    "import.external_id_repeated": N_(
        "external_id '{id}' is also on line {other} with the same content; not imported "
        "while another copy differs"),
    "import.external_id_changed": N_(
        "external_id '{id}' is order {number}, already present with a different {columns}; "
        "not imported"),
    "import.order_field_differs": N_("{columns} differs from line {other} of the same order"),
    "import.order_refused": N_(
        "not imported: another line of this order was refused (line {lines})"),
    "import.quantity_too_small": N_("{value}: must be at least 1"),
    "import.quantity_invalid": N_("'{value}' is not a whole number"),
    "import.flag_invalid": N_("'{value}' is not yes/no (1/0, true/false, 是/否)"),
    "import.required": N_("{field} is required"),
    "import.missing_column": N_("required column '{field}' is missing"),
    "import.unknown_column": N_("unknown column '{column}'"),
    "import.duplicate_column": N_("column '{column}' appears twice"),
    "import.empty": N_("the file is empty"),
    "sku.unknown": N_("unknown or inactive SKU"),
    "phone.invalid": N_("not a valid phone number"),
    "phone.unparseable": N_("not a valid phone number"),
    "email.invalid": N_("not a valid e-mail address"),
    "contact.missing": N_("a phone or an e-mail is required to tell the customer"),
    "address.missing": N_("{field} is required"),
    "address.postal_code": N_("not a valid postal code"),
    "stock.insufficient": N_("not enough stock"),
    "money.invalid": N_("not a valid amount"),
    "money.total_mismatch": N_("the total does not add up to lines + shipping - discount"),
    "payment.reference_reused": N_("this payment reference is already used by another order"),
}


def reason(error: Any, language: str) -> str:
    """The refusal's sentence in `language` (English keeps the importer's message, which
    names the value: the SKU, the number)."""
    code = getattr(error, "code", None)
    template = REASONS.get(code or "")
    if template is None or language == "en":
        return str(error.message)
    params = {"field": error.field, **(getattr(error, "params", None) or {})}
    try:
        return i18n.translations(language).gettext(template).format(**params)
    except (KeyError, IndexError, ValueError):
        return str(error.message)

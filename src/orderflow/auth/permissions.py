"""The one permission table: what each staff role may do, and what each API token scope
grants. The server enforces it (API: `api.deps.require`; console: `web.security.
require_permission`), and the console's navigation can ask the same table
(`role_allows`) so a link a role may not use is not shown.

A permission is named like the token scope that grants it (`orders:write`). A token
made for a staff user is bounded by that user's role too: a warehouse user's token
never reads the mailbox, whatever scopes it was given.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from orderflow.auth.models import Role


class Permission(enum.StrEnum):
    ORDERS_READ = "orders:read"
    ORDERS_WRITE = "orders:write"
    PAYMENTS_WRITE = "payments:write"
    CATALOG_READ = "catalog:read"
    CATALOG_WRITE = "catalog:write"
    STOCK_READ = "stock:read"
    STOCK_WRITE = "stock:write"
    # The notices, the demo mailbox and SMS sink (every customer's messages),
    # templates, switches and webhooks.
    NOTIFY_READ = "notify:read"
    NOTIFY_WRITE = "notify:write"
    CHANNELS_READ = "channels:read"
    CHANNELS_WRITE = "channels:write"
    EXCEPTIONS_READ = "exceptions:read"
    EXCEPTIONS_WRITE = "exceptions:write"
    FULFILMENT_READ = "fulfilment:read"
    FULFILMENT_WRITE = "fulfilment:write"
    SHIPPING_READ = "shipping:read"
    SHIPPING_WRITE = "shipping:write"
    # After-sales cases (售后单) and the receiving station; refunds move money.
    AFTERSALES_READ = "aftersales:read"
    AFTERSALES_WRITE = "aftersales:write"
    REFUNDS_READ = "refunds:read"
    REFUNDS_WRITE = "refunds:write"
    # The merchant's rules: review settings (and other settings as they come).
    SETTINGS_WRITE = "settings:write"


P = Permission
ALL = frozenset(Permission)

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: ALL,
    Role.SERVICE: ALL - {P.SETTINGS_WRITE},
    Role.WAREHOUSE: frozenset({
        P.ORDERS_READ, P.CATALOG_READ, P.STOCK_READ, P.STOCK_WRITE,
        P.FULFILMENT_READ, P.FULFILMENT_WRITE, P.SHIPPING_READ, P.SHIPPING_WRITE,
        P.EXCEPTIONS_READ, P.AFTERSALES_READ, P.AFTERSALES_WRITE,  # receiving returns
    }),
}

# Token scopes and the permissions each grants (today one each, of the same name).
SCOPE_PERMISSIONS: dict[str, frozenset[Permission]] = {p.value: frozenset({p}) for p in P}
SCOPES = frozenset(SCOPE_PERMISSIONS)


def role_allows(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]


def scopes_grant(scopes: Iterable[str]) -> frozenset[Permission]:
    granted: set[Permission] = set()
    for scope in scopes:
        granted |= SCOPE_PERMISSIONS.get(scope, frozenset())
    return frozenset(granted)


def token_allows(scopes: Iterable[str], permission: Permission,
                 role: Role | None = None) -> bool:
    """A token's scopes grant it and, for a token made for a user, the user's role too."""
    return permission in scopes_grant(scopes) and (role is None or role_allows(role, permission))

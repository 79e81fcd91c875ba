"""Shared dependencies of API routes: the Db, settings, and token auth by scope."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from orderflow.auth import permissions
from orderflow.auth import service as auth
from orderflow.auth.permissions import Permission
from orderflow.auth.service import TokenIdentity
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.errors import Forbidden, Unauthorized
from orderflow.orders.lifecycle import Actor

_bearer = HTTPBearer(auto_error=False, description="An API token: `orderflow token create`")


def get_db(request: Request) -> Db:
    db: Db = request.app.state.db
    return db


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


DbDep = Annotated[Db, Depends(get_db)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def require(scope: str) -> Callable[..., TokenIdentity]:
    """The route needs this permission (orderflow.auth.permissions): the token's scopes
    grant it and, for a token made for a staff user, that user's role allows it."""
    permission = Permission(scope)

    def dependency(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> TokenIdentity:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise Unauthorized(
                "send an API token as 'Authorization: Bearer <token>'", code="auth.missing_token"
            )
        identity = auth.verify_token(get_db(request), credentials.credentials)
        if not permissions.token_allows(identity.scopes, permission, identity.role):
            if permission.value in identity.scopes:
                raise Forbidden(f"the token's user ({identity.role}) may not use '{scope}'",
                                code="auth.role_forbids")
            raise Forbidden(f"this token lacks the '{scope}' scope", code="auth.missing_scope")
        request.state.token = identity
        return identity

    return dependency


def actor_of(token: TokenIdentity) -> Actor:
    return Actor("api", token.name)

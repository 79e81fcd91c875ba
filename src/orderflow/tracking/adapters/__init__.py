"""Carrier tracking adapters: each turns a provider's wire format into CarrierEvents."""

from __future__ import annotations


class BadSignature(Exception):
    """A push whose signature does not match: refused, nothing stored."""


class BadPayload(Exception):
    """A push that is signed but not of the provider's documented shape."""

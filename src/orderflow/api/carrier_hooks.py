"""/api/carrier-hooks: carrier and aggregator pushes.

Public on purpose: a carrier has no API token. Each request is authenticated by the
provider's own signature over the raw body (快递100: UPPER(MD5(param + salt)); AfterShip:
base64 HMAC-SHA256 in `aftership-hmac-sha256`; the simulated carrier: hex HMAC-SHA256 in
`x-sim-signature`). A bad or missing signature is a 401 and nothing is stored; a
provider without its secret is disabled and its hook answers 404 before reading the body. The events
are stored before we answer, and the answer is quick (快递100 gives up after 20 s).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from orderflow.api.problems import problem
from orderflow.tracking import config as tracking_config
from orderflow.tracking import service as tracking
from orderflow.tracking.adapters import BadPayload, BadSignature, aftership, kuaidi100, simulated
from orderflow.tracking.config import TrackingSettings
from orderflow.tracking.rules import CarrierEvent

router = APIRouter(prefix="/api/carrier-hooks", tags=["carrier hooks"])
log = logging.getLogger("orderflow.tracking.hooks")
# Routes here answer to a provider signature instead of a token (tests/web/test_route_security).
SIGNED_BY = {"/api/carrier-hooks/kuaidi100": "快递100 sign = UPPER(MD5(param + salt))",
             "/api/carrier-hooks/aftership": "aftership-hmac-sha256",
             "/api/carrier-hooks/simulated": "x-sim-signature"}


def settings_of(request: Request) -> TrackingSettings:
    found = getattr(request.app.state, "tracking", None)
    if found is None:
        found = request.app.state.tracking = tracking_config.load()
    return found  # type: ignore[no-any-return]


def _disabled(request: Request, provider: str) -> JSONResponse | None:
    """404 when this provider has no secret configured (checked before the body is read)."""
    reason = tracking_config.disabled(settings_of(request)).get(provider)
    if reason is None:
        return None
    return problem(404, "carrier_hook.disabled", "This provider is disabled", reason)


def _refused(reason: str) -> JSONResponse:
    return problem(401, "carrier_hook.bad_signature", "Signature refused", reason)


def _bad(reason: str) -> JSONResponse:
    return problem(400, "carrier_hook.bad_payload", "Not a push of this provider", reason)


async def _ingest(request: Request, source: str, number: str, events: Sequence[CarrierEvent],
                  carrier: str | None, subscription: str | None = None,
                  correction: str | None = None) -> bool:
    """Stored (committed) before we answer; the database work runs in the thread pool.
    A push for a shipment that another provider tracks is refused (logged, nothing stored)
    and answered like an unknown number, so the sender does not retry it."""
    try:
        changes = await run_in_threadpool(tracking.ingest, request.app.state.db, source,
                                          number, events, carrier=carrier,
                                          subscription=subscription,
                                          carrier_correction=correction)
    except tracking.WrongProvider as exc:
        log.warning("%s push refused for %s: the shipment is tracked by %s",
                    source, number, exc.provider)
        return False
    if changes is None:
        log.warning("%s push for unknown tracking number %s", source, number)
    return changes is not None


async def _parsed(request: Request, parse: Callable[[bytes], object]) -> object | Response:
    body = await request.body()
    try:
        return parse(body)
    except BadSignature as exc:
        return _refused(str(exc))
    except BadPayload as exc:
        return _bad(str(exc))


@router.post("/kuaidi100")
async def kuaidi100_push(request: Request) -> Response:
    """快递100 subscription push (form `param` + `sign`). Answers 快递100's success shape."""
    if (off := _disabled(request, "kuaidi100")) is not None:
        return off
    salt = settings_of(request).kuaidi100_salt
    push = await _parsed(request, lambda body: kuaidi100.parse_push(body, salt))
    if isinstance(push, Response):
        return push
    assert isinstance(push, kuaidi100.Push)
    correction = push.carrier if push.com_new else None  # 快递100 autoCheck corrected it
    await _ingest(request, "kuaidi100", push.number, push.events, None, push.status, correction)
    return JSONResponse(kuaidi100.SUCCESS)


@router.post("/aftership")
async def aftership_push(request: Request) -> Response:
    """AfterShip tracking webhook (JSON, `aftership-hmac-sha256`)."""
    if (off := _disabled(request, "aftership")) is not None:
        return off
    secret = settings_of(request).aftership_webhook_secret
    header = request.headers.get(aftership.HEADER)
    hook = await _parsed(request, lambda body: aftership.parse_webhook(body, header, secret))
    if isinstance(hook, Response):
        return hook
    assert isinstance(hook, aftership.Webhook)
    known = await _ingest(request, "aftership", hook.tracking_number, hook.events, None)
    return JSONResponse({"received": True, "known": known})


@router.post("/simulated")
async def simulated_push(request: Request) -> Response:
    """The simulated carrier's push (demo and tests)."""
    if (off := _disabled(request, "simulated")) is not None:
        return off
    secret = settings_of(request).simulated_secret
    header = request.headers.get(simulated.HEADER)
    push = await _parsed(request, lambda body: simulated.parse_push(body, header, secret))
    if isinstance(push, Response):
        return push
    assert isinstance(push, simulated.SimPush)
    known = await _ingest(request, "simulated", push.tracking_number, push.events, None)
    return JSONResponse({"received": True, "known": known})

"""Issue 18, findings 7, 9 and 17: what used to answer 500 is refused with a named field,
and the OpenAPI document is the contract the server keeps."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from starlette.testclient import TestClient

from orderflow.app import create_app
from orderflow.auth.models import Role
from orderflow.ids import MAX_ID
from tests.builders.orders import order_body
from tests.web.helpers import HOST, login, make_staff

PROBLEM = "application/problem+json"
TOO_BIG = str(2**64)


def _fields(response) -> list[str]:
    return [e["field"] for e in response.json()["errors"]]


@pytest.mark.parametrize(("path", "parameter", "allowed"), [
    ("/api/v1/waves?state=issued", "state", "'open'"),
    ("/api/v1/notices?state=issued", "state", "'dead'"),
    ("/api/v1/review/queue?urgency=soon", "urgency", "'expedited'"),
    ("/api/v1/orders?customer_type=alien", "customer_type", "'vip'"),
    ("/api/v1/exceptions?kind=eaten", "kind", "'lost'"),
    ("/api/v1/exceptions?state=maybe", "state", "'resolved'"),
])
def test_finding_7_an_unknown_enum_value_in_a_query_is_422_naming_parameter_and_values(
        client: TestClient, path: str, parameter: str, allowed: str) -> None:
    response = client.get(path)

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert _fields(response) == [parameter]
    assert allowed in response.json()["errors"][0]["message"]


def test_finding_7_skipped_order_numbers_are_percent_encoded_in_x_skipped(
        client: TestClient) -> None:
    response = client.post("/api/v1/shipping/labels",
                           json={"orders": ["订单一", "a,b\r\nX-Evil: 1"], "format": "zpl"})

    assert response.status_code == 200
    skipped = response.headers["x-skipped"]
    assert skipped.isascii() and "\n" not in skipped
    assert [unquote(n) for n in skipped.split(",")] == ["订单一", "a,b\r\nX-Evil: 1"]
    assert "x-evil" not in response.headers


@pytest.mark.parametrize("path", [
    f"/api/v1/waves/{TOO_BIG}", f"/api/v1/exceptions/{TOO_BIG}",
    f"/api/v1/channels/deliveries/{TOO_BIG}", f"/api/v1/channels/deliveries?cursor={TOO_BIG}",
    f"/api/v1/notices/coverage?within_minutes={TOO_BIG}",
])
def test_finding_7_an_id_past_2_63_is_refused_in_the_api_never_a_500(
        client: TestClient, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert client.get(path.replace(TOO_BIG, str(MAX_ID))).status_code in (200, 404, 422)


@pytest.mark.parametrize("path", [
    f"/fulfilment/waves/{TOO_BIG}", f"/exceptions/{TOO_BIG}",
    f"/notify/notices/detail?id={TOO_BIG}",
    f"/notify/webhooks/deliveries?endpoint=1&before={TOO_BIG}",
])
def test_finding_7_an_id_past_2_63_is_refused_in_the_console_never_a_500(
        db, settings, path: str) -> None:
    make_staff(db, "root", role=Role.ADMIN)
    with TestClient(create_app(db, settings), base_url=f"http://{HOST}",
                    follow_redirects=False) as console:
        login(console, "root")

        response = console.get(path)

    assert response.status_code in (404, 422)


@pytest.mark.parametrize("field", ["total", "shipping_fee", "lines[0].unit_price"])
def test_finding_7_a_20_digit_money_amount_is_422_with_the_field(
        client: TestClient, field: str) -> None:
    body = order_body()
    if field.startswith("lines"):
        body["lines"][0]["unit_price"] = "12345678901234567890"
    else:
        body[field] = "12345678901234567890"

    response = client.post("/api/v1/orders", json=body)

    assert response.status_code == 422
    assert _fields(response) == [field]


@pytest.mark.parametrize("amount", ["1e3", "1E3", "NaN", "Infinity", "-Infinity", "1e-2",
                                    "0x10", " 1 000", 10**20])
def test_finding_17_exponent_nan_and_infinity_are_refused_as_money_with_the_field(
        client: TestClient, amount: object) -> None:
    body = order_body()
    body["lines"][0]["unit_price"] = amount

    response = client.post("/api/v1/orders", json=body)
    payment = client.post("/api/v1/orders", json=order_body(
        payment={"method": "alipay", "amount": amount, "external_ref": "P-1"}))

    assert response.status_code == 422
    assert _fields(response) == ["lines[0].unit_price"]
    assert payment.status_code == 422
    assert _fields(payment) == ["payment.amount"]


# --- finding 9: the OpenAPI document is the contract --------------------------------------


@pytest.fixture
def spec(client: TestClient) -> dict:
    return client.get("/api/openapi.json").json()


def test_finding_9_every_refusal_is_documented_as_problem_json(spec: dict) -> None:
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            refusals = {c: r for c, r in operation["responses"].items() if c[0] in "45"}
            assert {"401", "403", "422"} <= set(refusals), (method, path)
            for code, response in refusals.items():
                assert list(response["content"]) == [PROBLEM], (method, path, code)
                assert response["content"][PROBLEM]["schema"] == {
                    "$ref": "#/components/schemas/Problem"}
    assert "HTTPValidationError" not in spec["components"]["schemas"]


def test_finding_9_enums_are_documented_as_enums_and_money_as_a_decimal_pattern(
        spec: dict) -> None:
    waves = spec["paths"]["/api/v1/waves"]["get"]["parameters"]
    state = next(p for p in waves if p["name"] == "state")
    schemas = spec["components"]["schemas"]
    line = schemas["LineIn"]["properties"]["unit_price"]

    assert "enum" in str(state["schema"]) or "$ref" in str(state["schema"])
    assert "[0-9]" in str(line) and "pattern" in str(line)


def test_finding_9_unknown_methods_are_405_with_allow_listing_every_method(
        client: TestClient) -> None:
    trace = client.request("TRACE", "/api/v1/orders")
    options = client.options("/api/v1/waves")

    assert trace.status_code == 405
    assert trace.headers["content-type"] == PROBLEM
    assert set(trace.headers["allow"].split(", ")) == {"GET", "POST"}
    assert options.status_code == 405
    assert "GET" in options.headers["allow"]


# --- found by schemathesis ---------------------------------------------------------------


def test_a_carrier_endpoint_with_a_host_idna_cannot_encode_is_unavailable_not_a_500() -> None:
    from orderflow.shipping.adapters import CarrierUnavailable, HttpCarrier

    carrier = HttpCarrier("http://" + "a" * 70 + ".example", timeout=1)

    with pytest.raises(CarrierUnavailable):
        carrier.cancel("SF1234567890")


def test_a_replayed_refusal_is_problem_json_like_the_first(client: TestClient) -> None:
    body = order_body(total="0")
    headers = {"Idempotency-Key": "replay-me"}

    first = client.post("/api/v1/orders", json=body, headers=headers)
    again = client.post("/api/v1/orders", json=body, headers=headers)

    assert first.status_code == again.status_code == 422
    assert again.headers["content-type"] == PROBLEM
    assert again.headers["idempotent-replayed"] == "true"
    assert {k: again.json()[k] for k in ("code", "status", "title")} == {
        k: first.json()[k] for k in ("code", "status", "title")}


def test_allow_names_the_methods_of_the_resource_the_path_names(client: TestClient) -> None:
    response = client.options("/api/v1/stock/alerts")

    assert response.status_code == 405
    assert response.headers["allow"] == "GET"


def test_an_unexpected_error_is_a_problem_json_500_without_a_stack(db, settings) -> None:
    app = create_app(db, settings)

    @app.get("/api/v1/boom", include_in_schema=False)
    def boom() -> None:
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as c:
        response = c.get("/api/v1/boom")

    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM
    assert "secret internals" not in response.text


def test_a_number_is_not_a_date_time_nor_a_yes_no(client: TestClient) -> None:
    as_seconds = client.get("/api/v1/orders?placed_to=0.5")
    naive = client.get("/api/v1/orders?placed_from=2026-12-01")
    aware = client.get("/api/v1/orders", params={"placed_from": "2026-12-01T00:00:00+08:00"})
    as_zero = client.post("/api/v1/review/bulk-approve",
                          json={"numbers": ["1"], "include_blocked": 0})

    assert as_seconds.status_code == 422
    assert _fields(as_seconds) == ["placed_to"]
    assert naive.status_code == 422
    assert _fields(naive) == ["placed_from"]
    assert aware.status_code == 200
    assert as_zero.status_code == 422
    assert _fields(as_zero) == ["include_blocked"]

"""GraphQL-over-HTTP media type negotiation (hub.graphql_http), against the real server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from hub.graphql_http import APPLICATION_JSON, GRAPHQL_RESPONSE_JSON, negotiate
from tests.conformance.conftest import Hub

GQL = GRAPHQL_RESPONSE_JSON
JSON = APPLICATION_JSON
TIMEOUT = httpx.Timeout(20.0)
PATH = "/graphql"


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, JSON),
        ("", JSON),
        ("*/*", JSON),
        ("application/*", JSON),
        (JSON, JSON),
        (GQL, GQL),
        (f"{GQL}; charset=utf-8", GQL),
        ("Application/GraphQL-Response+JSON", GQL),
        (f"{GQL}, {JSON};q=0.9", GQL),  # what the spec recommends clients send
        (f"{JSON}, {GQL}", GQL),  # both named, equal weight: the spec's type wins
        (f"{JSON}, {GQL};q=0.5", JSON),
        (f"{GQL};q=0.5, */*", JSON),  # the most specific range sets each type's weight
        (f"text/html, {GQL}", GQL),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", JSON),  # browsers
        ("text/html", None),
        ("text/plain, image/*", None),
        (f"{GQL};q=0, {JSON};q=0", None),
        ("*/*;q=0", None),
        (f"{GQL};q=oops, {JSON}", JSON),  # an unreadable weight drops its range
        ("garbage", JSON),  # nothing usable: as if there were no Accept header
    ],
)
def test_negotiate(accept: str | None, expected: str | None) -> None:
    assert negotiate(accept) == expected


@pytest.fixture(scope="module")
def client(hub: Hub) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=hub.base, timeout=TIMEOUT, headers=hub.headers) as c:
        del c.headers["accept"]  # httpx sends `Accept: */*` unless told otherwise
        yield c


def post(
    client: httpx.Client,
    body: Any,
    accept: str | None = None,
    content_type: str | None = JSON,
) -> httpx.Response:
    headers = {}
    if accept is not None:
        headers["accept"] = accept
    if content_type is not None:
        headers["content-type"] = content_type
    content = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(PATH, content=content, headers=headers)


def media(response: httpx.Response) -> str:
    return response.headers["content-type"].split(";")[0].strip()


def error_message(response: httpx.Response) -> str:
    body = response.json()
    assert set(body) == {"errors"}, body
    return str(body["errors"][0]["message"])


def first_institution(hub: Hub) -> dict[str, Any]:
    return hub.institutions[0]


# --- successful operations -------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, JSON),
        (JSON, JSON),
        ("*/*", JSON),
        (GQL, GQL),
        (f"{GQL}, {JSON};q=0.9", GQL),
    ],
)
def test_success_content_type_follows_accept(
    client: httpx.Client, hub: Hub, accept: str | None, expected: str
) -> None:
    inst = first_institution(hub)
    query = {"query": "query($u: String!) { institution(uscc: $u) { name } }"}
    r = post(client, {**query, "variables": {"u": inst["uscc"]}}, accept=accept)
    assert r.status_code == 200
    assert media(r) == expected
    assert r.json() == {"data": {"institution": {"name": inst["name"]}}}
    assert "accept" in r.headers["vary"].lower()
    if expected == GQL:
        assert "charset=utf-8" in r.headers["content-type"]
    else:
        assert r.headers["content-type"] == JSON  # unchanged for legacy clients


# --- request errors: 400 without `data` for graphql-response+json, 200 for json --------

REQUEST_ERRORS = {
    "parse": {"query": "{"},
    "validation": {"query": "{ noSuchField }"},
    "depth limit": {
        "query": '{ institution(uscc: "x") { roles { person { roles { institution {'
        " roles { person { roles { institution { roles { person { name } } } } } } } } } } } }"
    },
    "variable coercion": {
        "query": "query($u: String!) { institution(uscc: $u) { name } }",
        "variables": {"u": None},
    },
    "missing variable": {"query": "query($u: String!) { institution(uscc: $u) { name } }"},
}


@pytest.mark.parametrize("case", sorted(REQUEST_ERRORS))
def test_request_error_graphql_response_json(client: httpx.Client, case: str) -> None:
    r = post(client, REQUEST_ERRORS[case], accept=GQL)
    assert r.status_code == 400
    assert media(r) == GQL
    body = r.json()
    assert "data" not in body
    assert body["errors"] and all("path" not in e for e in body["errors"])


@pytest.mark.parametrize("case", sorted(REQUEST_ERRORS))
@pytest.mark.parametrize("accept", [None, JSON, "*/*"])
def test_request_error_application_json_is_legacy(
    client: httpx.Client, case: str, accept: str | None
) -> None:
    r = post(client, REQUEST_ERRORS[case], accept=accept)
    assert r.status_code == 200
    assert media(r) == JSON
    body = r.json()
    assert body["data"] is None
    assert body["errors"]


# --- execution errors: 200 with `data` for both ----------------------------------------


@pytest.mark.parametrize("accept", [GQL, JSON])
def test_field_error_with_partial_data_is_200(client: httpx.Client, accept: str) -> None:
    r = post(client, {"query": '{ measures { code } institution(uscc: "bad") { name } }'}, accept)
    assert r.status_code == 200
    assert media(r) == accept
    body = r.json()
    assert body["data"]["measures"]
    assert body["data"]["institution"] is None
    assert body["errors"][0]["path"] == ["institution"]


@pytest.mark.parametrize("accept", [GQL, JSON])
def test_field_error_with_null_data_is_200(client: httpx.Client, accept: str) -> None:
    # `sanctions` is non-null: its error nulls the whole of `data`, which is still present
    r = post(client, {"query": '{ sanctions(subject: {uscc: "x"}, purpose: "") { asOf } }'}, accept)
    assert r.status_code == 200
    assert media(r) == accept
    body = r.json()
    assert "data" in body and body["data"] is None
    assert body["errors"][0]["path"] == ["sanctions"]
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


# --- Accept that names nothing we produce: 406 -----------------------------------------


@pytest.mark.parametrize("accept", ["text/html", "text/plain", f"{GQL};q=0, {JSON};q=0"])
def test_unacceptable_accept_is_406(client: httpx.Client, accept: str) -> None:
    r = post(client, {"query": "{ __typename }"}, accept=accept)
    assert r.status_code == 406
    assert media(r) == JSON
    message = error_message(r)
    assert GQL in message and JSON in message


def test_get_text_html_without_query_is_not_406(client: httpx.Client) -> None:
    # a browser opening /graphql: the IDE (off outside development) decides, not negotiation
    r = client.get(PATH, headers={"accept": "text/html"})
    assert r.status_code == 404


# --- GET ---------------------------------------------------------------------------------


@pytest.mark.parametrize("accept", [GQL, JSON, None])
def test_get_with_query_and_variables(client: httpx.Client, hub: Hub, accept: str | None) -> None:
    inst = first_institution(hub)
    params = {
        "query": "query Q($u: String!) { institution(uscc: $u) { uscc name } }",
        "variables": json.dumps({"u": inst["uscc"]}),
        "operationName": "Q",
    }
    headers = {"accept": accept} if accept else {}
    r = client.get(PATH, params=params, headers=headers)
    assert r.status_code == 200
    assert media(r) == (accept or JSON)
    assert r.json() == {"data": {"institution": {"uscc": inst["uscc"], "name": inst["name"]}}}


def test_get_validation_error_graphql_response_json(client: httpx.Client) -> None:
    r = client.get(PATH, params={"query": "{ noSuchField }"}, headers={"accept": GQL})
    assert r.status_code == 400
    assert "data" not in r.json()


def test_get_bad_variables_json_is_400(client: httpx.Client) -> None:
    params = {"query": "query($u: String!) { institution(uscc: $u) { name } }", "variables": "{"}
    for accept in (GQL, JSON):
        r = client.get(PATH, params=params, headers={"accept": accept})
        assert r.status_code == 400
        assert media(r) == accept
        assert "`variables` query parameter as JSON" in error_message(r)


@pytest.mark.parametrize("accept", [GQL, JSON])
def test_get_mutation_is_405(client: httpx.Client, accept: str) -> None:
    r = client.get(PATH, params={"query": "mutation { __typename }"}, headers={"accept": accept})
    assert r.status_code == 405
    assert r.headers["allow"] == "POST"
    assert media(r) == accept
    assert "mutations are not allowed" in error_message(r)


def test_get_without_query_is_400(client: httpx.Client) -> None:
    r = client.get(PATH, headers={"accept": JSON})
    assert r.status_code == 400
    assert "No GraphQL query" in error_message(r)


# --- malformed requests: 400 (or 415) with a clear JSON message ------------------------


@pytest.mark.parametrize("accept", [GQL, JSON, None])
def test_malformed_json_body_is_400(client: httpx.Client, accept: str | None) -> None:
    r = post(client, '{"query": "{ __typename }"', accept=accept)
    assert r.status_code == 400
    assert media(r) == (accept or JSON)
    message = error_message(r)
    assert message.startswith("Unable to parse request body as JSON")
    assert "line 1, column" in message


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("", "request body is empty"),
        ("   ", "request body is empty"),
        ('"{ __typename }"', "must be a JSON object"),
        ("42", "must be a JSON object"),
        (b"\xff\xfe{", "Unable to parse request body as JSON"),
        ({"query": 42}, "`query` must be a string"),
        ({"query": "{ __typename }", "variables": [1]}, "`variables` must be an object"),
        ({"query": "{ __typename }", "extensions": "x"}, "`extensions` must be an object"),
        ({"notquery": "{ __typename }"}, "No GraphQL query"),
        ([{"query": "{ __typename }"}], "Batching is not enabled"),
    ],
)
def test_bad_request_bodies_are_400(client: httpx.Client, body: Any, fragment: str) -> None:
    r = post(client, body, accept=GQL)
    assert r.status_code == 400
    assert media(r) == GQL
    assert fragment in error_message(r)


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/graphql"])
def test_post_without_json_content_type_is_415(
    client: httpx.Client, content_type: str | None
) -> None:
    r = post(client, {"query": "{ __typename }"}, accept=JSON, content_type=content_type)
    assert r.status_code == 415
    assert media(r) == JSON
    assert "send application/json" in error_message(r)


def test_json_content_type_with_charset(client: httpx.Client) -> None:
    r = post(client, {"query": "{ __typename }"}, accept=GQL, content_type=f"{JSON}; charset=utf-8")
    assert r.status_code == 200
    assert r.json() == {"data": {"__typename": "Query"}}


def test_other_methods_are_405(client: httpx.Client) -> None:
    r = client.put(PATH, content="{}", headers={"content-type": JSON})
    assert r.status_code == 405

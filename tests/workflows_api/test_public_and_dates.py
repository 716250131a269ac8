"""The public endpoints' limits, errors and access-log leaves; who may date a step back."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from audit import AuditUnavailable
from hub.public import PublicSite, RateLimiter, verification_page
from hub.workflows.verification import VerificationResult
from tests.api.conftest import LiveHub
from tests.workflows.conftest import A, B
from tests.workflows_api.conftest import at, gql, gql_error

TODAY = dt.date(2026, 6, 30)
ORDER = (
    "mutation($u: String!, $on: Date, $d: Date!) { orderRectification("
    'subject: {uscc: $u}, deadline: $d, reason: "整改", on: $on) { orderedOn } }'
)


@pytest.fixture(autouse=True)
def clock(hub: LiveHub) -> None:
    at(hub, TODAY)


def get(hub: LiveHub, path: str, **params: str) -> httpx.Response:
    return httpx.get(f"{hub.url}{path}", params=params, timeout=30)


def leaf_of(hub: LiveHub, response: httpx.Response) -> dict[str, Any]:
    index = int(response.headers["X-Audit-Receipt"].split(":")[0])
    leaf: dict[str, Any] = hub.services.audit.entry(index).leaf.to_json()
    return leaf


# --- dates -----------------------------------------------------------------------------------


def order(hub: LiveHub, key: str, on: dt.date | None) -> dict[str, Any]:
    variables = {"u": B, "on": on.isoformat() if on else None, "d": "2027-01-01"}
    return hub.post(ORDER, variables, key=key).json()


def test_a_step_is_dated_today_by_default(hub: LiveHub) -> None:
    data = order(hub, "agency", None)["data"]
    assert data["orderRectification"]["orderedOn"] == TODAY.isoformat()


def test_an_agency_dates_back_at_most_30_days(hub: LiveHub) -> None:
    ok = order(hub, "agency", TODAY - dt.timedelta(days=30))
    assert ok["data"]["orderRectification"]["orderedOn"] == "2026-05-31"
    (error,) = order(hub, "agency", TODAY - dt.timedelta(days=31))["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "on"}
    assert "at most 30 days" in error["message"] and "credit office" in error["message"]


def test_the_credit_office_dates_back_any_number_of_days(hub: LiveHub) -> None:
    response = hub.post(ORDER, {"u": B, "on": "2020-01-02", "d": "2027-01-01"}, key="credit_office")
    assert response.json()["data"]["orderRectification"]["orderedOn"] == "2020-01-02"
    assert leaf_of(hub, response)["purpose"] == "workflow: orderRectification (dated 2020-01-02)"


@pytest.mark.parametrize("key", ["agency", "credit_office"])
def test_no_one_dates_a_step_in_the_future(hub: LiveHub, key: str) -> None:
    (error,) = order(hub, key, TODAY + dt.timedelta(days=1))["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "on"}
    assert "after today" in error["message"]


def test_a_workflow_error_names_the_argument(hub: LiveHub) -> None:
    error = gql_error(
        hub, 'mutation { notifyListing(entryId: "NOPE") { state } }', key="credit_office"
    )
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "entryId"}
    assert error["message"] == "entryId: no list entry 'NOPE'"
    scores = '[{area: "practice_management", score: 101}]'
    error = gql_error(
        hub,
        f'mutation {{ recordEvaluation(uscc: "{B}", year: 2025, scores: {scores}) {{ grade }} }}',
        key="agency",
    )
    assert error["extensions"]["field"].startswith("scores.")


def test_mutations_are_not_run_over_get(hub: LiveHub) -> None:
    response = httpx.get(
        f"{hub.url}/graphql",
        params={"query": "mutation { expireListings }"},
        headers={
            "Authorization": f"Bearer {hub.keys['credit_office']}",
            "Accept": "application/json",
        },
    )
    assert response.status_code == 405


# --- the public endpoints ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"format": "pdf"}, "format"),
        ({"year": "1999"}, "year"),
        ({"year": "2027"}, "year"),
        ({"year": "twenty"}, "year"),
        ({"asOf": "2026-07-01"}, "asOf"),
        ({"asOf": "yesterday"}, "asOf"),
        ({"year": "2025", "asOf": "2025-01-01"}, "year"),
        ({"lists": "focus"}, "lists"),
    ],
)
def test_bad_list_requests_name_the_parameter(
    hub: LiveHub, params: dict[str, str], field: str
) -> None:
    response = get(hub, "/public/lists", **params)
    assert response.status_code == 400
    assert response.json()["error"]["field"] == field
    leaf = leaf_of(hub, response)
    assert (leaf["role"], leaf["operation"]) == ("public", "GET /public/lists")
    assert leaf["result"]["outcome"] == "error"


def test_the_list_is_public_and_logged_without_keys(hub: LiveHub) -> None:
    response = httpx.get(
        f"{hub.url}/public/lists",
        params={"format": "json", "year": "2025"},
        headers={"Authorization": "Bearer not-a-key"},  # ignored: the endpoint is public
    )
    assert response.status_code == 200
    leaf = leaf_of(hub, response)
    assert (leaf["principal"], leaf["role"], leaf["purpose"]) == (
        "public",
        "public",
        "public: published list",
    )
    assert leaf["result"]["outcome"] == "allowed"


def test_same_request_shape_same_digest(hub: LiveHub) -> None:
    one = leaf_of(hub, get(hub, "/public/lists", year="2024", format="csv"))
    two = leaf_of(hub, get(hub, "/public/lists", year="2025", format="json"))
    three = leaf_of(hub, get(hub, "/public/lists", asOf="2025-01-01"))
    assert one["query_sha256"] == two["query_sha256"] != three["query_sha256"]


def test_verify_and_qr_errors(hub: LiveHub) -> None:
    assert get(hub, "/verify").status_code == 400
    assert get(hub, "/verify", s="x" * 5000).status_code in (400, 414)
    garbage = get(hub, "/verify", s="not-a-statement", format="json")
    assert garbage.status_code == 200 and garbage.json()["status"] == "invalid"
    assert get(hub, "/public/qr/NOT-A-USCC.svg").status_code == 400
    assert get(hub, f"/public/qr/{A}.gif").status_code == 404
    missing = get(hub, f"/public/qr/{B}.png")
    assert missing.status_code == 404 and "no statement" in missing.json()["error"]["reason"]
    assert leaf_of(hub, missing)["result"]["error_class"] == "NOT_FOUND"


def test_qr_png_of_the_current_statement(hub: LiveHub) -> None:
    issued = gql(hub, f'mutation {{ issueStatement(uscc: "{A}") {{ statement {{ serial }} }} }}')
    png = get(hub, f"/public/qr/{A}.png")
    assert png.headers["content-type"] == "image/png" and png.content.startswith(b"\x89PNG")
    assert png.headers["X-Statement-Serial"] == str(issued["issueStatement"]["statement"]["serial"])
    assert leaf_of(hub, png)["result"]["subjects"] == 1


def test_rate_limit_per_client(hub: LiveHub) -> None:
    site: PublicSite = hub.app.state.public
    saved = site.limiter
    site.limiter = RateLimiter(2)
    try:
        assert get(hub, "/public/lists").status_code == 200
        assert get(hub, "/public/lists").status_code == 200
        limited = get(hub, "/verify", s="x")
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
        leaf = leaf_of(hub, limited)
        assert leaf["result"]["outcome"] == "refused"
        assert leaf["result"]["error_class"] == "RATE_LIMITED"
    finally:
        site.limiter = saved


def test_rate_limiter_refills_and_forgets() -> None:
    limiter = RateLimiter(60, max_clients=2)
    assert all(limiter.check("a", now=0.0) == 0 for _ in range(60))
    assert limiter.check("a", now=0.0) == pytest.approx(1.0)
    assert limiter.check("a", now=1.0) == 0  # one token a second
    limiter.check("b", now=1.0)
    limiter.check("c", now=1.0)  # "a" is dropped: at most two clients are kept
    assert limiter.check("a", now=1.0) == 0


def test_public_answer_is_withheld_when_the_log_fails(
    hub: LiveHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    site: PublicSite = hub.app.state.public

    async def broken(state: object) -> None:
        raise AuditUnavailable("disk full")

    monkeypatch.setattr(site.access_log, "append", broken)
    response = get(hub, "/public/lists", format="csv")
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert "X-Audit-Receipt" not in response.headers
    assert "名单" not in response.text


def test_the_verification_page_escapes_what_it_shows() -> None:
    statement = {
        "v": 1,
        "uscc": A,
        "name": "<script>alert(1)</script>医院",
        "grade": "poor",
        "grade_year": 2025,
        "lists": [{"list": "black", "entry": "E1", "status": "active"}],
        "as_of": "2026-06-01",
        "serial": 3,
    }
    page = verification_page(VerificationResult("current", "ok", statement), TODAY)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "差（2025年度评价）" in page and "黑榜" in page and "公示中" in page

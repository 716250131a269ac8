"""The GraphQL API over real HTTP: answers, batching, relay pages, precise errors."""

from __future__ import annotations

import time
from typing import Any

import httpx

from tests import factories as f
from tests.api.conftest import LiveHub
from tests.sanctions.test_acceptance import DOC_OTHER, DOC_RESP, LR_OLD, A, F

SANCTIONS = """
query($s: SubjectInput!, $d: Date) {
  sanctions(subject: $s, asOf: $d, purpose: "licence review") {
    subject { kind known name uscc personRef idNumberMasked }
    asOf
    measures { measure { code title basis } enforcingAgency { kind agencies { code } }
               appliesAs entry { id list status decidedBy decidedOn validUntil underObjection }
               path { kind type key role validFrom validTo } }
    warnings { personRef role measureCode entryId message }
  }
}"""


def gql(hub: LiveHub, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """As the credit office (every field), stating a purpose for the lookups."""
    response = hub.post(query, variables, headers={"X-Purpose": "api test"})
    body: dict[str, Any] = response.json()
    return body


def test_sanctions_for_a_former_legal_representative(server: LiveHub) -> None:
    body = gql(
        server, SANCTIONS, {"s": {"idType": "RESIDENT_ID", "idNumber": LR_OLD}, "d": "2026-05-01"}
    )
    report = body["data"]["sanctions"]
    assert report["subject"]["known"] and report["subject"]["name"] == "老法人"
    assert report["subject"]["idNumberMasked"] == LR_OLD[:6] + "********" + LR_OLD[-4:]
    assert LR_OLD not in str(body)
    ban = next(m for m in report["measures"] if m["measure"]["code"] == "BLACK-INDUSTRY-BAN")
    assert ban["appliesAs"] == "LEGAL_REPRESENTATIVE"
    assert ban["enforcingAgency"] == {"kind": "health_commission", "agencies": [{"code": "hc"}]}
    assert ban["entry"]["id"] == "EA" and ban["entry"]["validUntil"] == "2028-03-31"
    steps = [(s["type"], s["key"], s["role"]) for s in ban["path"]]
    assert steps[0][0] == "Person" and steps[0][1] == report["subject"]["personRef"]
    assert steps[1:] == [
        ("HOLDS", None, "legal_representative"),
        ("Institution", A, None),
        ("CONCERNS", None, None),
        ("ListEntry", "EA", None),
    ]


def test_subject_is_described_when_the_index_answers(server: LiveHub) -> None:
    index = server.services.sanctions.index
    assert index is not None
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:  # it loads after start-up; /health tells when
        if httpx.get(f"{server.url}/health").json()["sanction_index"] == "ready":
            break
        time.sleep(0.05)
    assert index.ready
    loads = index.loads
    other = gql(server, SANCTIONS, {"s": {"idType": "RESIDENT_ID", "idNumber": DOC_OTHER}})
    subject = other["data"]["sanctions"]["subject"]
    assert subject["known"] and subject["name"] == "其他医师"  # no facts: looked up on demand
    assert other["data"]["sanctions"]["measures"] == []
    unknown = gql(server, SANCTIONS, {"s": {"uscc": f.uscc()}})["data"]["sanctions"]["subject"]
    assert unknown["known"] is False and unknown["name"] is None
    assert index.ready and index.loads == loads  # answered from the same snapshot


def test_person_reference_resolves_back_through_federation_entities(server: LiveHub) -> None:
    body = gql(server, SANCTIONS, {"s": {"idType": "RESIDENT_ID", "idNumber": DOC_RESP}})
    ref = body["data"]["sanctions"]["subject"]["personRef"]
    entities = gql(
        server,
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { name roles { role } } "
        "... on Institution { name } } }",
        {"r": [{"__typename": "Person", "ref": ref}, {"__typename": "Institution", "uscc": A}]},
    )
    assert entities["data"]["_entities"] == [
        {"name": "责任医师", "roles": [{"role": "PRACTITIONER"}]},
        {"name": "A"},
    ]


def test_warning_on_the_banned_persons_new_institution(server: LiveHub) -> None:
    body = gql(server, SANCTIONS, {"s": {"uscc": F}, "d": "2026-05-01"})
    warnings = body["data"]["sanctions"]["warnings"]
    assert {w["measureCode"] for w in warnings} == {"BLACK-MARKET-BAN", "BLACK-INDUSTRY-BAN"}
    assert all(w["role"] == "LEGAL_REPRESENTATIVE" and w["entryId"] == "EA" for w in warnings)


def test_screen_batches_and_refuses_oversized_batches(server: LiveHub) -> None:
    query = 'query($s: [SubjectInput!]!) { screen(subjects: $s, asOf: "2026-05-01", purpose: "bulk check") { subject { uscc } measures { measure { code } } } }'
    ok = gql(server, query, {"s": [{"uscc": A}, {"uscc": F}]})
    assert [len(r["measures"]) for r in ok["data"]["screen"]] == [4, 0]
    too_many = gql(server, query, {"s": [{"uscc": A}] * 51})
    assert too_many["errors"][0]["message"] == "subjects: at most 50 subjects per call (got 51)"


def test_invalid_inputs_name_the_field_and_reason(server: LiveHub) -> None:
    bad_uscc = gql(server, SANCTIONS, {"s": {"uscc": A[:-1] + ("0" if A[-1] != "0" else "1")}})
    error = bad_uscc["errors"][0]
    assert error["message"].startswith("subject.uscc: check character should be")
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "subject.uscc"}

    bad_id = gql(
        server, SANCTIONS, {"s": {"idType": "RESIDENT_ID", "idNumber": "110105194912310021"}}
    )
    assert bad_id["errors"][0]["message"] == (
        "subject.idNumber: wrong check character (got '110105********0021')"
    )
    both = gql(server, SANCTIONS, {"s": {"uscc": A, "idType": "PASSPORT", "idNumber": "E123456"}})
    assert both["errors"][0]["message"] == "subject: give either uscc, or idType and idNumber"

    unknown_enum = gql(server, SANCTIONS, {"s": {"idType": "DRIVING_LICENCE", "idNumber": "1"}})
    assert "DRIVING_LICENCE" in unknown_enum["errors"][0]["message"]
    assert "idType" in unknown_enum["errors"][0]["message"]

    no_purpose = gql(server, f'{{ sanctions(subject: {{uscc: "{A}"}}) {{ asOf }} }}')
    message = no_purpose["errors"][0]["message"]
    assert "sanctions(purpose:)" in message and "is required" in message


def test_query_depth_and_alias_limits(server: LiveHub) -> None:
    nested = "roles { person { roles { institution { " * 3 + "name" + " } } } }" * 3
    deep = '{ institution(uscc: "' + A + '") { ' + nested + " } }"
    assert "exceeds maximum operation depth" in gql(server, deep)["errors"][0]["message"]
    aliases = "{ " + " ".join(f"a{i}: measures {{ code }}" for i in range(40)) + " }"
    assert "aliases" in gql(server, aliases)["errors"][0]["message"].lower()


def test_list_entries_relay_pagination(server: LiveHub) -> None:
    query = "query($a: String) { listEntries(first: 2, after: $a) { edges { cursor node { id list } } pageInfo { hasNextPage endCursor } } }"
    seen: list[str] = []
    after = None
    for _ in range(10):
        page = gql(server, query, {"a": after})["data"]["listEntries"]
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == sorted(["EA", "EB", "EC", "ED", "EE", "EM"])
    bad = gql(server, "{ listEntries(first: 500) { pageInfo { hasNextPage } } }")
    assert bad["errors"][0]["message"] == "first: between 1 and 100"


def test_institution_with_roles_entries_and_evaluations(server: LiveHub) -> None:
    body = gql(
        server,
        f'{{ institution(uscc: "{A.lower()}") {{ name roles {{ role validFrom validTo person {{ name idNumberMasked }} }} listEntries {{ id responsible {{ name }} }} }} }}',
    )
    inst = body["data"]["institution"]
    assert inst["name"] == "A"
    assert {(r["person"]["name"], r["role"]) for r in inst["roles"]} >= {
        ("老法人", "LEGAL_REPRESENTATIVE"),
        ("新法人", "LEGAL_REPRESENTATIVE"),
    }
    assert inst["listEntries"] == [{"id": "EA", "responsible": [{"name": "责任医师"}]}]

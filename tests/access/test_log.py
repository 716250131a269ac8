"""The access log behind the API: a leaf per request, durable before the answer, a receipt
whose inclusion proof (fetched through GraphQL) verifies against the signed checkpoint with
the standalone `audit` package, and an export that `credit-hub-audit verify` accepts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from audit import (
    AccessLeaf,
    Verifier,
    open_checkpoint,
    parse_tlog_proof,
    subject_commitment,
    verify_consistency,
    verify_inclusion,
    verify_tlog_proof,
)
from hub.cli import app
from tests.api.conftest import LiveHub
from tests.sanctions.test_acceptance import LR_OLD, A, F

SANCTIONS = (
    'query Check($u: String!) { sanctions(subject: {uscc: $u}, asOf: "2026-05-01", '
    'purpose: "licence review") { measures { measure { code } path { type key } } } }'
)


def verifier(hub: LiveHub) -> Verifier:
    result = CliRunner().invoke(app, ["audit-key"], env={"HUB_DATA_DIR": str(hub.data_dir)})
    assert result.exit_code == 0, result.output
    return Verifier.from_string(result.stdout.strip())


def receipt(response_headers: dict[str, str] | object) -> tuple[int, str]:
    index, leaf_hash = response_headers["X-Audit-Receipt"].split(":")  # type: ignore[index]
    return int(index), leaf_hash


def test_every_response_carries_a_receipt_of_a_durable_leaf(hub: LiveHub) -> None:
    for key in ("agency", "credit_office", None):
        response = hub.post(SANCTIONS, {"u": A}, key=key)
        index, leaf_hash = receipt(response.headers)
        entry = hub.services.audit.entry(index)  # already committed when the answer arrived
        assert entry.leaf_hash == leaf_hash
    get = hub.post("{ measures { code } }")
    assert receipt(get.headers)[0] == index + 1


def test_leaf_records_the_request_not_its_text(hub: LiveHub) -> None:
    response = hub.post(SANCTIONS, {"u": A}, key="agency")
    index, _ = receipt(response.headers)
    entry = hub.services.audit.entry(index)
    assert isinstance(entry.leaf, AccessLeaf)
    leaf = entry.leaf.to_json()
    assert leaf["operation"] == "Check" and leaf["purpose"] == "licence review"
    assert leaf["agency"] == "hc" and leaf["role"] == "agency"
    assert len(leaf["query_sha256"]) == 64
    text = entry.raw.decode()
    assert A not in text and "sanctions(" not in text and "licence review" in text
    # subjects: the institution and everyone on the paths, as opened commitments
    keys = {k.decode() for _, k in hub.services.audit.subject_openings(index)}
    assert A in keys and leaf["result"]["subjects"] == len(keys) == len(leaf["subjects"])
    for nonce, key in hub.services.audit.subject_openings(index):
        assert subject_commitment(nonce, key) in leaf["subjects"]


def test_same_query_shape_same_digest_whatever_the_literals(hub: LiveHub) -> None:
    def digest(uscc: str) -> str:
        query = f'{{ institution(uscc: "{uscc}", purpose: "digest check") {{ name }} }}'
        index, _ = receipt(hub.post(query).headers)
        return str(hub.services.audit.entry(index).leaf.to_json()["query_sha256"])

    assert digest(A) == digest(F)


def test_receipt_inclusion_proof_through_graphql_verifies_offline(hub: LiveHub) -> None:
    index, leaf_hash = receipt(hub.post(SANCTIONS, {"u": A}, key="agency").headers)
    body = hub.post("{ auditCheckpoint { origin treeSize rootHash note } }", key="auditor").json()[
        "data"
    ]["auditCheckpoint"]
    signed = open_checkpoint(body["note"], [verifier(hub)], origin=body["origin"])
    assert signed.size == body["treeSize"] > index and signed.root.hex() == body["rootHash"]
    proof = hub.post(
        "query($i: Int!, $n: Int!) { auditInclusionProof(index: $i, treeSize: $n) "
        "{ index treeSize leafHash hashes tlogProof } }",
        {"i": index, "n": signed.size},
        key="auditor",
    ).json()["data"]["auditInclusionProof"]
    assert proof["leafHash"] == leaf_hash
    verify_inclusion(
        bytes.fromhex(leaf_hash),
        index,
        signed.size,
        [bytes.fromhex(h) for h in proof["hashes"]],
        signed.root,
    )
    # the C2SP tlog-proof form verifies on its own, with the log's verifier key
    assert parse_tlog_proof(proof["tlogProof"]).index == index
    assert verify_tlog_proof(proof["tlogProof"], bytes.fromhex(leaf_hash), [verifier(hub)])


def test_consistency_between_two_checkpoints_verifies(hub: LiveHub) -> None:
    query = "{ auditCheckpoint { note } }"
    first = open_checkpoint(
        hub.post(query, key="auditor").json()["data"]["auditCheckpoint"]["note"], [verifier(hub)]
    )
    hub.post(SANCTIONS, {"u": F}, key="agency")
    second = open_checkpoint(
        hub.post(query, key="auditor").json()["data"]["auditCheckpoint"]["note"], [verifier(hub)]
    )
    proof = hub.post(
        "query($a: Int!, $b: Int!) { auditConsistencyProof(from: $a, to: $b) { hashes } }",
        {"a": first.size, "b": second.size},
        key="auditor",
    ).json()["data"]["auditConsistencyProof"]
    verify_consistency(
        first.size,
        second.size,
        [bytes.fromhex(h) for h in proof["hashes"]],
        first.root,
        second.root,
    )


def test_audit_entries_filter_and_pages(hub: LiveHub) -> None:
    hub.post("{ auditEntries { nodes { index } } }", key="agency")  # a refusal to find
    query = (
        "query($a: String) { auditEntries(first: 2, after: $a, "
        'filter: {outcome: "refused", role: "agency"}) { edges { cursor node { index role '
        "operation result { outcome errorClass } subjectCommitments leaf } } "
        "pageInfo { hasNextPage endCursor } } }"
    )
    seen: list[int] = []
    after = None
    for _ in range(100):
        page = hub.post(query, {"a": after}, key="auditor").json()["data"]["auditEntries"]
        for edge in page["edges"]:
            node = edge["node"]
            assert node["role"] == "agency" and node["result"]["outcome"] == "refused"
            seen.append(node["index"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == sorted(seen) and len(seen) >= 1


def test_accesses_to_a_subject_for_the_credit_office(hub: LiveHub) -> None:
    index, _ = receipt(
        hub.post(
            '{ person(idType: RESIDENT_ID, idNumber: "' + LR_OLD + '", purpose: "ban check") '
            "{ name } }"
        ).headers
    )
    body = hub.post(
        'query { accessesTo(subject: {idType: RESIDENT_ID, idNumber: "'
        + LR_OLD
        + '"}, purpose: "who looked") { index principal purpose operation } }'
    ).json()
    found = {e["index"]: e for e in body["data"]["accessesTo"]}
    assert index in found and found[index]["purpose"] == "ban check"
    agency = hub.post(SANCTIONS, {"u": A}, key="agency").headers
    inst = hub.post(
        f'{{ accessesTo(subject: {{uscc: "{A}"}}, purpose: "who looked") {{ index agency }} }}'
    ).json()["data"]["accessesTo"]
    assert (receipt(agency)[0], "hc") in {(e["index"], e["agency"]) for e in inst}


def _audit_cli() -> list[str]:
    script = Path(sys.executable).parent / "credit-hub-audit"
    return [str(script)] if script.exists() else [sys.executable, "-m", "audit.cli"]


def test_export_verifies_with_credit_hub_audit(hub: LiveHub, tmp_path: Path) -> None:
    for uscc in (A, F):
        hub.post(SANCTIONS, {"u": uscc}, key="agency")
    hub.services.audit.checkpoint_now()
    export = tmp_path / "export.jsonl"
    db = hub.settings.audit_path
    done = subprocess.run(
        [*_audit_cli(), "export", str(db), str(export)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    key = verifier(hub).to_string()
    check = subprocess.run(
        [*_audit_cli(), "verify", str(export), "--key", key, "--strict"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.startswith("OK")

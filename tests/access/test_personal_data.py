"""Full ID numbers: only to the credit office, only when asked for; never in the log."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.api.conftest import LiveHub
from tests.sanctions.test_acceptance import (
    DOC_OTHER,
    DOC_RESP,
    LR_NEW,
    LR_OLD,
    PRINCIPAL,
    RIOTER,
    A,
)

IDS = (LR_OLD, LR_NEW, PRINCIPAL, DOC_RESP, DOC_OTHER, RIOTER)
PERSON = 'query($n: String!) { person(idType: RESIDENT_ID, idNumber: $n, purpose: "ban check") '


def test_credit_office_sees_the_full_number_only_when_it_asks(server: LiveHub) -> None:
    masked = server.post(PERSON + "{ name idNumberMasked } }", {"n": LR_OLD}).json()
    assert masked["data"]["person"]["idNumberMasked"] == LR_OLD[:6] + "********" + LR_OLD[-4:]
    assert LR_OLD not in str(masked)
    full = server.post(PERSON + "{ name idNumber } }", {"n": LR_OLD}).json()
    assert full == {"data": {"person": {"name": "老法人", "idNumber": LR_OLD}}}


def test_others_see_masked_numbers_only(server: LiveHub) -> None:
    own = '{ listEntries(filter: {decidedBy: "hc"}, purpose: "x-check") { nodes { responsible '
    ok = server.post(own + "{ idNumberMasked } } } }", key="agency").json()
    assert ok["data"]["listEntries"]["nodes"][0]["responsible"][0]["idNumberMasked"].count("*")
    refused = server.post(own + "{ idNumber } } } }", key="agency").json()
    assert refused["errors"][0]["extensions"]["field"] == "Person.idNumber"
    assert DOC_RESP not in str(ok) + str(refused)
    report = server.post(
        "query($n: String!) { sanctions(subject: {idType: RESIDENT_ID, idNumber: $n}, "
        'purpose: "licence review") { subject { idNumberMasked } warnings { message } } }',
        {"n": LR_OLD},
        key="agency",
    ).json()
    assert report["data"]["sanctions"]["subject"]["idNumberMasked"].count("*") == 8
    assert LR_OLD not in str(report)


def _audit_cli() -> list[str]:
    script = Path(sys.executable).parent / "credit-hub-audit"
    return [str(script)] if script.exists() else [sys.executable, "-m", "audit.cli"]


def test_no_id_number_in_clear_in_any_audit_file(server: LiveHub, tmp_path: Path) -> None:
    """After queries by ID number (variables, inline literals, operation names, full numbers
    asked for and returned), grep the log, its vault, their WALs and an export."""
    for number in IDS:
        server.post(PERSON + "{ name idNumber roles { role } } }", {"n": number})
        server.post(
            f'query Q{number[:-1]} {{ sanctions(subject: {{idType: RESIDENT_ID, idNumber: "{number}"}}, '
            'purpose: "licence review") { subject { name } } }',
            key="agency",
        )
        server.post(
            f'{{ accessesTo(subject: {{idType: RESIDENT_ID, idNumber: "{number}"}}, '
            'purpose: "who looked") { index } }'
        )
        server.post(PERSON + "{ name } }", {"n": number}, key="agency")  # refused, logged
    server.post(
        f'{{ institution(uscc: "{A}", purpose: "file check") {{ roles {{ person {{ idNumber }} }} }} }}'
    )
    server.services.audit.checkpoint_now()
    export = tmp_path / "export.jsonl"
    done = subprocess.run(
        [*_audit_cli(), "export", str(server.settings.audit_path), str(export)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    files = [p for p in server.settings.audit_path.parent.iterdir() if p.is_file()] + [export]
    assert {p.name for p in files} >= {"audit.db", "audit.secrets.db", "export.jsonl"}
    assert any(p.name.endswith("-wal") for p in files)
    for path in files:
        data = path.read_bytes()
        for number in IDS:
            for needle in (number, number[:17]):  # whole, and without the check character
                assert needle.encode() not in data, f"{number[:6]}… in {path.name}"

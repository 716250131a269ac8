"""Public verification: signed statements, tampering, superseded and changed ones."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pytest

from hub.settings import Settings
from hub.workflows import WorkflowError, WorkflowService
from hub.workflows.verification import KEY_FILE, StatementSigner, qr_png, token_of
from tests.workflows.conftest import SCORES, A, uscc
from tests.workflows.helpers import listed

D = dt.date


async def test_key_is_created_once_private_and_never_shown(
    wf: WorkflowService, settings: Settings
) -> None:
    path = settings.secret_path.parent / KEY_FILE
    assert not path.exists()
    issued = await wf.statements.issue("hc", "officer", uscc(A), D(2025, 1, 1))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    secret = path.read_text()
    again = StatementSigner(settings.secret_path.parent)
    assert again.public_key_pem() == wf.statements.signer.public_key_pem()
    assert path.read_text() == secret
    assert "ed25519" not in repr(wf.statements.signer).lower()
    assert issued.url.startswith(wf.config.verification.base_url + "?s=")
    assert token_of(issued.url) == issued.token


async def test_statement_content_and_current(wf: WorkflowService) -> None:
    await wf.evaluations.record("hc", "evaluator", uscc(A), 2024, SCORES, D(2025, 1, 20))
    issued = await wf.statements.issue("hc", "officer", uscc(A), D(2025, 2, 1))
    s = issued.statement
    assert (
        s["uscc"],
        s["name"],
        s["grade"],
        s["grade_year"],
        s["lists"],
        s["as_of"],
        s["serial"],
    ) == (A, "甲市人民医院", "excellent", 2024, [], "2025-02-01", 1)
    assert (await wf.statements.verify(issued.url, D(2025, 6, 1))).current
    # The grade changes: the statement is genuine but outdated.
    await wf.evaluations.record_violation(
        "hc", "inspector", uscc(A), D(2025, 6, 2), "ordinary", "x"
    )
    result = await wf.statements.verify(issued.token, D(2025, 6, 3))
    assert (result.valid, result.current) == (True, False) and "grade" in result.reason
    assert qr_png(issued.url).startswith(b"\x89PNG")


async def test_any_changed_byte_fails(wf: WorkflowService) -> None:
    issued = await wf.statements.issue("hc", "officer", uscc(A), D(2025, 2, 1))
    original = issued.token.encode()
    for position in range(len(original)):
        for replacement in (b"A", b"Q", b"g", b"w", b"-", b"."):
            if original[position : position + 1] == replacement:
                continue
            token = original[:position] + replacement + original[position + 1 :]
            result = wf.statements.check_signature(token.decode())
            assert result is None, (position, replacement)
    assert (await wf.statements.verify(issued.token, D(2025, 2, 1))).current


async def test_garbage_and_foreign_keys_fail(wf: WorkflowService, tmp_path: Path) -> None:
    for junk in ("", "abc", "a.b", "https://x/verify?t=1", "!!!.???"):
        assert not (await wf.statements.verify(junk, D(2025, 1, 1))).valid
    issued = await wf.statements.issue("hc", "officer", uscc(A), D(2025, 2, 1))
    stranger = StatementSigner(tmp_path / "other")
    head = issued.token.split(".")[0]
    import base64

    payload = base64.urlsafe_b64decode(head + "=" * (-len(head) % 4))
    forged = head + "." + base64.urlsafe_b64encode(stranger.sign(payload)).decode().rstrip("=")
    assert not (await wf.statements.verify(forged, D(2025, 2, 1))).valid


async def test_superseded_and_listing_changes(wf: WorkflowService) -> None:
    first = await wf.statements.issue("hc", "officer", uscc(A), D(2025, 3, 1))
    await listed(wf)  # in force from 2025-03-11
    assert (await wf.statements.verify(first.url, D(2025, 3, 10))).current
    changed = await wf.statements.verify(first.url, D(2025, 3, 11))
    assert changed.status == "outdated" and "lists" in changed.reason
    second = await wf.statements.issue("hc", "officer", uscc(A), D(2025, 3, 11))
    assert second.statement["serial"] == 2
    assert second.statement["lists"] == [{"list": "black", "entry": "E1", "status": "active"}]
    superseded = await wf.statements.verify(first.url, D(2025, 3, 11))
    assert superseded.status == "outdated" and "superseded" in superseded.reason
    assert (await wf.statements.verify(second.url, D(2025, 3, 12))).current


async def test_only_the_health_commission_issues(wf: WorkflowService) -> None:
    with pytest.raises(WorkflowError) as err:
        await wf.statements.issue("mr", "officer", uscc(A), D(2025, 3, 1))
    assert err.value.field == "agency"

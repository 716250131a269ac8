"""Shared fixtures for the audit package tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from audit import AccessRecord, AuditLog, Result, Signer, query_sha256

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("HUB_SHARED_DIR", REPO.parent / "shared"))
VECTORS = SHARED / "vectors"
ORIGIN = "credit-hub.test/audit"


@pytest.fixture(scope="session")
def log_signer() -> Signer:
    return Signer.generate(ORIGIN)


@pytest.fixture(scope="session")
def office_signer() -> Signer:
    return Signer.generate("credit-office.test/cosigner")


def make_record(i: int = 0, **overrides: object) -> AccessRecord:
    fields: dict[str, object] = {
        "principal": f"user:{i}",
        "agency": "SUPERSALUD",
        "role": "analyst",
        "purpose": "supervision",
        "operation": "query CreditsBySubject",
        "query_sha256": query_sha256("query CreditsBySubject { credits { id } }"),
        "result": Result("allowed", 1),
    }
    fields.update(overrides)
    return AccessRecord(**fields)  # type: ignore[arg-type]


@pytest.fixture
def audit_log(tmp_path: Path, log_signer: Signer, office_signer: Signer) -> Iterator[AuditLog]:
    log = AuditLog(
        tmp_path / "audit.db", ORIGIN, [log_signer, office_signer], checkpoint_interval=0.05
    )
    try:
        yield log
    finally:
        log.close()

"""A small world for the workflows: agencies, two institutions, their people; the real
embedded store, the real ingest, the real sanctions engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hub.graph import CypherStore
from hub.identifiers import PersonId, Uscc, parse_person_id, parse_uscc
from hub.personal_data import Keyring
from hub.sanctions.catalogue import default_catalogue
from hub.sanctions.service import SanctionService
from hub.settings import Settings
from hub.workflows import WorkflowService
from tests import factories as f
from tests.conftest import ingest_records

A, B = f.uscc(), f.uscc()
LR, PRINCIPAL, DOCTOR, RIOTER = (f.resident_id() for _ in range(4))
CLEAR_IDS = (LR, PRINCIPAL, DOCTOR, RIOTER)


def world() -> list[dict[str, Any]]:
    return [
        *f.AGENCIES,
        f.institution(A, "甲市人民医院"),
        f.institution(B, "乙镇卫生院"),
        f.person(LR, "王法人"),
        f.person(PRINCIPAL, "李院长"),
        f.person(DOCTOR, "张医师"),
        f.person(RIOTER, "赵某"),
        f.role(LR, A, "legal_representative", "2019-01-01"),
        f.role(PRINCIPAL, A, "principal", "2019-01-01"),
        f.role(DOCTOR, A, "practitioner", "2020-01-01"),
    ]


def uscc(value: str) -> Uscc:
    return parse_uscc(value)


def person(number: str) -> PersonId:
    return parse_person_id("resident_id", number)


@pytest.fixture
async def wf(
    store: CypherStore, keyring: Keyring, data_dir: Path, settings: Settings
) -> WorkflowService:
    report = await ingest_records(store, keyring, world(), data_dir)
    assert report.rejected == 0, report.rejections
    return WorkflowService(store, keyring, settings.secret_path.parent)


@pytest.fixture
def sanctions(store: CypherStore, keyring: Keyring) -> SanctionService:
    return SanctionService(store, default_catalogue(), keyring)


SCORES = {
    "practice_management": 95.0,
    "maternal_infant_care": 92.0,
    "special_technology": 96.0,
    "infectious_disease": 94.0,
    "general_management": 93.0,
}

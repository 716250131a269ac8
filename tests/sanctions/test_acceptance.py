"""The acceptance scenario of the joint-sanction engine, built from canonical records.

One graph, many questions on many dates: who is reached through which role, what a
repair or an objection changes, and the path that explains each answer.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from hub.graph import CypherStore
from hub.identifiers import parse_person_id, parse_uscc
from hub.personal_data import Keyring
from hub.sanctions.catalogue import default_catalogue
from hub.sanctions.index import SanctionIndex
from hub.sanctions.report import SanctionReport
from hub.sanctions.service import SanctionService
from tests import factories as f
from tests.conftest import ingest_records

A, B, C, D, E, F, G = (f.uscc() for _ in range(7))
LR_OLD, LR_NEW, PRINCIPAL, DOC_RESP, DOC_OTHER, RIOTER = (f.resident_id() for _ in range(6))


def scenario() -> list[dict[str, Any]]:
    return [
        *f.AGENCIES,
        *(f.institution(u, n) for u, n in zip((A, B, C, D, E, F, G), "ABCDEFG", strict=True)),
        f.person(LR_OLD, "老法人"),
        f.person(LR_NEW, "新法人"),
        f.person(PRINCIPAL, "负责人"),
        f.person(DOC_RESP, "责任医师"),
        f.person(DOC_OTHER, "其他医师"),
        f.person(RIOTER, "医闹者"),
        # A's legal representative changed after the violation (2025-03-01).
        f.role(LR_OLD, A, "legal_representative", "2020-01-01", "2025-06-30"),
        f.role(LR_NEW, A, "legal_representative", "2025-07-01"),
        f.role(PRINCIPAL, A, "principal", "2019-01-01"),
        f.role(DOC_RESP, A, "practitioner", "2021-01-01"),
        f.role(DOC_OTHER, A, "practitioner", "2021-01-01"),
        # The old legal representative now runs F.
        f.role(LR_OLD, F, "legal_representative", "2025-07-01"),
        f.entry("EA", {"uscc": A}, responsible=[f.pref(DOC_RESP)]),
        f.entry(
            "EB",
            {"uscc": B},
            "red",
            severity="minor",
            violation_on=None,
            reason="年度信用评价优秀",
            basis="年度信用评价结果",
        ),
        f.entry(
            "EC",
            {"uscc": C},
            violation_on="2023-01-01",
            decided_on="2023-02-01",
            valid_from="2023-02-01",
            valid_until="2024-12-31",
        ),
        f.entry("ED", {"uscc": D}, status="repaired", status_changed_on="2026-06-15"),
        f.entry("EE", {"uscc": E}, status="under_objection", status_changed_on="2026-02-01"),
        f.entry(
            "EM",
            f.pref(RIOTER),
            "medical_order",
            decided_by="ps",
            violation_on="2026-01-10",
            decided_on="2026-02-01",
            valid_from="2026-02-01",
            valid_until="2031-01-31",
            reason="殴打医务人员，被处以行政拘留",
            basis="《治安管理处罚法》",
        ),
        {
            "type": "evaluation",
            "source": f.src("hc"),
            "uscc": G,
            "year": 2025,
            "grade": "poor",
            "scores": {"practice_management": 52.0},
        },
    ]


@pytest.fixture(params=["store", "index"])
async def service(
    request: pytest.FixtureRequest, store: CypherStore, keyring: Keyring, data_dir: Path
) -> SanctionService:
    """Every question is answered twice: by store queries, and by the in-memory index."""
    report = await ingest_records(store, keyring, scenario(), data_dir)
    assert report.rejected == 0, report.rejections
    if request.param == "store":
        return SanctionService(store, default_catalogue(), keyring)
    index = SanctionIndex(store, default_catalogue())
    await index.load()
    assert index.fresh() is not None
    return SanctionService(store, default_catalogue(), keyring, index)


def codes(report: SanctionReport) -> dict[str, set[str]]:
    """measure code → the ways it applies (self, legal_representative, …)."""
    out: dict[str, set[str]] = {}
    for m in report.measures:
        out.setdefault(m.measure.code, set()).add(m.applies_as)
    return out


def path_types(report: SanctionReport, code: str) -> list[str]:
    (applied,) = [m for m in report.measures if m.measure.code == code]
    return [s.type for s in applied.path]


ON = dt.date(2026, 5, 1)
BLACK = {"BLACK-MARKET-BAN", "BLACK-INDUSTRY-BAN", "BLACK-REVOKE-HONOURS", "BLACK-NO-AWARDS"}


async def test_black_listed_institution_gets_black_measures_directly(
    service: SanctionService,
) -> None:
    report = await service.report(parse_uscc(A), ON)
    assert set(codes(report)) == BLACK
    assert all(ways == {"self"} for ways in codes(report).values())
    assert path_types(report, "BLACK-MARKET-BAN") == ["Institution", "CONCERNS", "ListEntry"]
    applied = report.measures[0]
    assert applied.entry is not None and applied.entry.id == "EA"
    assert applied.path[0].key == A and applied.path[-1].key == "EA"


async def test_red_list_gives_incentives(service: SanctionService) -> None:
    report = await service.report(parse_uscc(B), ON)
    assert set(codes(report)) == {
        "RED-GREEN-CHANNEL",
        "RED-FEWER-INSPECTIONS",
        "RED-HONOURS-PRIORITY",
    }


async def test_legal_representative_at_violation_time_is_reached(service: SanctionService) -> None:
    report = await service.report(parse_person_id("resident_id", LR_OLD), ON)
    assert set(codes(report)) == BLACK
    assert all(ways == {"legal_representative"} for ways in codes(report).values())
    (ban,) = [m for m in report.measures if m.measure.code == "BLACK-INDUSTRY-BAN"]
    assert [s.type for s in ban.path] == ["Person", "HOLDS", "Institution", "CONCERNS", "ListEntry"]
    role = ban.path[1]
    assert (role.role, role.valid_from, role.valid_to) == (
        "legal_representative",
        "2020-01-01",
        "2025-06-30",
    )
    assert ban.path[2].key == A and ban.path[4].key == "EA"


async def test_successor_in_the_role_is_not_reached(service: SanctionService) -> None:
    report = await service.report(parse_person_id("resident_id", LR_NEW), ON)
    assert report.measures == []
    assert report.subject.known and report.subject.name == "新法人"


async def test_principal_is_reached(service: SanctionService) -> None:
    report = await service.report(parse_person_id("resident_id", PRINCIPAL), ON)
    assert set(codes(report)) == BLACK
    assert all(ways == {"principal"} for ways in codes(report).values())


async def test_responsible_practitioner_reached_other_practitioner_not(
    service: SanctionService,
) -> None:
    named = await service.report(parse_person_id("resident_id", DOC_RESP), ON)
    assert set(codes(named)) == BLACK
    assert all(ways == {"directly_responsible"} for ways in codes(named).values())
    assert path_types(named, "BLACK-NO-AWARDS") == [
        "Person",
        "RESPONSIBLE",
        "ListEntry",
        "CONCERNS",
        "Institution",
    ]
    other = await service.report(parse_person_id("resident_id", DOC_OTHER), ON)
    assert other.measures == []


async def test_expired_entry_applies_only_inside_its_validity(service: SanctionService) -> None:
    assert (await service.report(parse_uscc(C), ON)).measures == []
    then = await service.report(parse_uscc(C), dt.date(2024, 6, 1))
    assert set(codes(then)) == BLACK


async def test_repaired_entry_in_force_before_its_repair_date_only(
    service: SanctionService,
) -> None:
    before = await service.report(parse_uscc(D), dt.date(2026, 5, 1))
    assert set(codes(before)) == BLACK
    assert {m.entry.status for m in before.measures if m.entry} == {"active"}
    after = await service.report(parse_uscc(D), dt.date(2026, 7, 1))
    assert after.measures == []


async def test_entry_under_objection_is_returned_flagged(service: SanctionService) -> None:
    report = await service.report(parse_uscc(E), dt.date(2026, 3, 1))
    assert set(codes(report)) == BLACK
    assert all(m.entry and m.entry.under_objection for m in report.measures)
    assert {m.entry.status for m in report.measures if m.entry} == {"under_objection"}
    earlier = await service.report(parse_uscc(E), dt.date(2026, 1, 15))
    assert {m.entry.status for m in earlier.measures if m.entry} == {"active"}


async def test_banned_persons_new_institution_is_warned(service: SanctionService) -> None:
    report = await service.report(parse_uscc(F), ON)
    assert report.measures == []
    warned = {(w.entry_id, w.measure_code, w.role) for w in report.warnings}
    assert warned == {
        ("EA", "BLACK-MARKET-BAN", "legal_representative"),
        ("EA", "BLACK-INDUSTRY-BAN", "legal_representative"),
    }
    assert all(w.person_name == "老法人" for w in report.warnings)
    # The listed institution itself carries no warning about its own entry.
    assert (await service.report(parse_uscc(A), ON)).warnings == []


async def test_medical_order_entry_on_a_natural_person(service: SanctionService) -> None:
    report = await service.report(parse_person_id("resident_id", RIOTER), ON)
    assert set(codes(report)) == {
        "MO-NO-SUBSIDIES",
        "MO-NO-SOE-POSTS",
        "MO-NO-PUBLIC-HIRING",
        "MO-NO-AWARDS",
        "MO-NOTIFY-EMPLOYER",
        "MO-PUBLICATION",
    }
    assert path_types(report, "MO-PUBLICATION") == ["Person", "CONCERNS", "ListEntry"]
    enforcers = {m.measure.enforcing_agency_kind for m in report.measures}
    assert {"public_security", "credit_office"} <= enforcers
    assert (
        await service.report(parse_person_id("resident_id", RIOTER), dt.date(2026, 1, 31))
    ).measures == []


async def test_poor_grade_triggers_supervision_measures(service: SanctionService) -> None:
    report = await service.report(parse_uscc(G), ON)
    assert set(codes(report)) == {
        "POOR-RECTIFICATION",
        "POOR-POSTPONED-REVALIDATION",
        "POOR-EXTRA-DOCUMENTS",
    }
    assert path_types(report, "POOR-RECTIFICATION") == ["Institution", "EVALUATES", "Evaluation"]
    assert (await service.report(parse_uscc(G), dt.date(2028, 1, 1))).measures == []


async def test_screen_answers_many_subjects_in_order(service: SanctionService) -> None:
    subjects = [parse_uscc(A), parse_person_id("resident_id", LR_NEW), parse_uscc(B), parse_uscc(A)]
    reports = await service.screen(subjects, ON)
    assert [r.subject.key for r in reports][::2] == [A, B]
    assert [bool(r.measures) for r in reports] == [True, False, True, True]


async def test_unknown_subject_is_reported_as_unknown(service: SanctionService) -> None:
    report = await service.report(parse_uscc(f.uscc()), ON)
    assert not report.subject.known and report.measures == []


async def test_unknown_person_is_reported_masked(service: SanctionService) -> None:
    number = f.resident_id()
    report = await service.report(parse_person_id("resident_id", number), ON)
    assert not report.subject.known and report.measures == []
    assert report.subject.id_masked == number[:6] + "********" + number[-4:]

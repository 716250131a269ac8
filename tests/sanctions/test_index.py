"""The in-memory sanction index answers exactly as the store does, and never when stale."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from hub.graph import CypherStore
from hub.identifiers import PersonId, Uscc, parse_person_id, parse_uscc
from hub.personal_data import Keyring
from hub.sanctions.catalogue import default_catalogue
from hub.sanctions.index import SanctionIndex
from hub.sanctions.service import SanctionService
from tests import factories as f
from tests.conftest import ingest_records
from tests.sanctions import test_acceptance as scenario

DATES = [dt.date(y, m, 1) for y in (2023, 2024, 2025, 2026, 2027, 2029) for m in (1, 5, 7, 12)]


def everyone() -> list[Uscc | PersonId]:
    s = scenario
    usccs = [s.A, s.B, s.C, s.D, s.E, s.F, s.G, f.uscc()]
    persons = [s.LR_OLD, s.LR_NEW, s.PRINCIPAL, s.DOC_RESP, s.DOC_OTHER, s.RIOTER]
    return [parse_uscc(u) for u in usccs] + [parse_person_id("resident_id", p) for p in persons]


@pytest.fixture
async def both(
    store: CypherStore, keyring: Keyring, data_dir: Path
) -> tuple[SanctionService, SanctionService, SanctionIndex]:
    report = await ingest_records(store, keyring, scenario.scenario(), data_dir)
    assert report.rejected == 0, report.rejections
    index = SanctionIndex(store, default_catalogue())
    await index.load()
    catalogue = default_catalogue()
    return (
        SanctionService(store, catalogue, keyring),
        SanctionService(store, catalogue, keyring, index),
        index,
    )


async def test_index_reports_equal_store_reports_for_every_subject_and_date(
    both: tuple[SanctionService, SanctionService, SanctionIndex],
) -> None:
    by_store, by_index, index = both
    subjects = everyone()
    for day in DATES:
        assert index.fresh() is not None
        assert await by_index.screen(subjects, day) == await by_store.screen(subjects, day), day
    # and the scenario is not trivially empty on those dates
    assert sum(len(r.measures) for r in await by_store.screen(subjects, dt.date(2026, 5, 1))) > 20


async def test_a_write_makes_the_index_stale_until_it_reloads(
    both: tuple[SanctionService, SanctionService, SanctionIndex],
    store: CypherStore,
    keyring: Keyring,
    data_dir: Path,
) -> None:
    _, by_index, index = both
    day = dt.date(2026, 5, 1)
    before = await by_index.report(parse_uscc(scenario.B), day)
    assert {m.entry.list for m in before.measures if m.entry} == {"red"}
    await ingest_records(store, keyring, [f.entry("NEW-B", {"uscc": scenario.B})], data_dir)
    assert index.fresh() is None  # stale: never used, and a reload has started
    after = await by_index.report(parse_uscc(scenario.B), day)  # answered by the store
    assert {m.entry.id for m in after.measures if m.entry} == {"EB", "NEW-B"}
    await index.wait()
    snapshot = index.fresh()
    assert snapshot is not None and scenario.B in snapshot.institution_facts
    assert await by_index.report(parse_uscc(scenario.B), day) == after


async def test_undescribed_subject_is_not_looked_up(
    both: tuple[SanctionService, SanctionService, SanctionIndex],
) -> None:
    _, by_index, _ = both
    other = parse_person_id("resident_id", scenario.DOC_OTHER)  # a person with no facts
    report = await by_index.report(other, dt.date(2026, 5, 1), describe=False)
    assert report.subject.known is None and report.measures == []
    described = await by_index.report(other, dt.date(2026, 5, 1))
    assert described.subject.known and described.subject.name == "其他医师"


async def test_max_age_reloads_an_old_snapshot(
    both: tuple[SanctionService, SanctionService, SanctionIndex], store: CypherStore
) -> None:
    index = SanctionIndex(store, default_catalogue(), max_age_s=0.0)
    await index.load()
    assert index.fresh() is None  # too old at once: another process may have written
    await index.wait()
    assert index.loads == 2


async def test_index_equals_store_on_a_generated_world(
    store: CypherStore, keyring: Keyring, data_dir: Path
) -> None:
    from hub.demo import generate
    from hub.ingest import Ingestor, ingest_lines

    world, lines = generate(150, seed=3)
    ingestor = Ingestor(store, keyring, "world.jsonl", data_dir / "quarantine", batch_size=500)
    assert (await ingest_lines(ingestor, lines)).rejected == 0
    index = SanctionIndex(store, default_catalogue())
    await index.load()
    catalogue = default_catalogue()
    by_store = SanctionService(store, catalogue, keyring)
    by_index = SanctionService(store, catalogue, keyring, index)
    subjects: list[Uscc | PersonId] = [parse_uscc(i["uscc"]) for i in world.institutions]
    subjects += [parse_person_id(p["id_type"], p["id_number"]) for p in world.persons]
    for day in (dt.date(2024, 6, 1), dt.date(2026, 11, 1), dt.date(2027, 3, 1)):
        from_index = await by_index.screen(subjects, day)
        assert from_index == await by_store.screen(subjects, day)
        assert sum(len(r.measures) for r in from_index) > 10  # not trivially equal

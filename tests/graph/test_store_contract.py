"""The graph store contract: every adapter must pass it (embedded always, Neo4j when set)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hub.graph import CypherStore
from hub.graph.cypher_store import decode_cursor, encode_cursor
from hub.identifiers import parse_person_id
from hub.personal_data import Keyring
from hub.settings import Settings
from tests import factories as f
from tests.conftest import ingest_records

U1, U2 = f.uscc(), f.uscc()
P1, P2 = f.resident_id(), f.resident_id()


def base() -> list[dict[str, object]]:
    return [
        *f.AGENCIES,
        f.institution(U1, "一院"),
        f.institution(U2, "二院"),
        f.person(P1, "甲"),
        f.person(P2, "乙"),
        f.role(P1, U1, "legal_representative", "2020-01-01", "2022-12-31"),
        f.role(P1, U2, "principal", "2023-01-01"),
        f.role(P2, U1, "legal_representative", "2023-01-01"),
        f.entry("E1", {"uscc": U1}, responsible=[f.pref(P2)]),
        f.entry("E2", f.pref(P1), "medical_order", decided_by="ps"),
    ]


async def test_same_records_twice_make_one_node_and_edge_each(
    store: CypherStore, keyring: Keyring, data_dir: Path
) -> None:
    records = base()
    first = await ingest_records(store, keyring, records, data_dir)
    counts = await store.counts()
    second = await ingest_records(store, keyring, records, data_dir)
    assert await store.counts() == counts
    assert counts["Institution"] == 2 and counts["Person"] == 2 and counts["HOLDS"] == 3
    assert counts["CONCERNS"] == 2 and counts["RESPONSIBLE"] == 1
    assert first.written["Institution"]["created"] == 2
    assert second.written["Institution"] == {"created": 0, "updated": 0, "unchanged": 2}
    assert second.written["Role"] == {"created": 0, "updated": 0, "unchanged": 3}


async def test_changed_record_updates_and_keeps_provenance(
    store: CypherStore, keyring: Keyring, data_dir: Path
) -> None:
    await ingest_records(store, keyring, base(), data_dir)
    before = (await store.get_nodes("Institution", [U1]))[U1]
    renamed = f.institution(U1, "第一人民医院")
    report = await ingest_records(store, keyring, [*f.AGENCIES, renamed], data_dir)
    after = (await store.get_nodes("Institution", [U1]))[U1]
    assert report.written["Institution"] == {"created": 0, "updated": 1, "unchanged": 0}
    assert after["name"] == "第一人民医院"
    assert after["first_seen"] == before["first_seen"]
    assert after["last_seen"] >= before["last_seen"]
    assert after["content_hash"] != before["content_hash"]
    assert (after["src_agency"], after["src_record"]) == ("mr", renamed["source"]["record_id"])  # type: ignore[index]


async def test_corrected_entry_moves_its_subject_edge(
    store: CypherStore, keyring: Keyring, data_dir: Path
) -> None:
    await ingest_records(store, keyring, base(), data_dir)
    moved = f.entry("E1", {"uscc": U2})
    await ingest_records(store, keyring, [*f.AGENCIES, moved], data_dir)
    assert "E1" not in {
        r["entry_id"] for r in (await store.entries_of("institution", [U1])).get(U1, [])
    }
    assert [r["entry_id"] for r in (await store.entries_of("institution", [U2]))[U2]] == ["E1"]
    assert await store.responsible_of(["E1"]) == {}
    assert (await store.counts())["CONCERNS"] == 2


async def test_role_history_of_person_and_institution(
    store: CypherStore, keyring: Keyring, data_dir: Path
) -> None:
    await ingest_records(store, keyring, base(), data_dir)
    pkey = keyring.person_key(parse_person_id("resident_id", P1))
    roles = (await store.roles_of("person", [pkey]))[pkey]
    assert [(r["uscc"], r["role"], r["valid_from"], r["valid_to"]) for r in roles] == [
        (U1, "legal_representative", "2020-01-01", "2022-12-31"),
        (U2, "principal", "2023-01-01", None),
    ]
    holders = (await store.roles_of("institution", [U1]))[U1]
    assert [(r["person_name"], r["role"]) for r in holders] == [
        ("甲", "legal_representative"),
        ("乙", "legal_representative"),
    ]
    assert all(P1 not in str(r) and P2 not in str(r) for r in holders)


async def test_list_entries_by_subject_and_paginated(
    store: CypherStore, keyring: Keyring, data_dir: Path
) -> None:
    many = [f.entry(f"X{i:03d}", {"uscc": U2}, "red") for i in range(25)]
    await ingest_records(store, keyring, [*base(), *many], data_dir)
    seen: list[str] = []
    after = ""
    while True:
        page = await store.list_entries({"list_type": "red"}, 10, after)
        seen += [r["entry_id"] for r in page.rows]
        if not page.has_next:
            break
        after = decode_cursor(encode_cursor(page.rows[-1]["entry_id"]))
    assert seen == [f"X{i:03d}" for i in range(25)]
    black = await store.list_entries({"list_type": "black", "subject_kind": "institution"}, 10, "")
    assert [r["entry_id"] for r in black.rows] == ["E1"]
    with pytest.raises(ValueError, match="unknown list-entry filter"):
        await store.list_entries({"name": "x"}, 10, "")


async def test_a_failed_batch_leaves_nothing_behind(
    store: CypherStore, keyring: Keyring, data_dir: Path
) -> None:
    await ingest_records(store, keyring, base(), data_dir)
    counts = await store.counts()
    with pytest.raises(RuntimeError):
        async with store.transaction() as run:
            await run(
                "UNWIND $rows AS r MERGE (a:Agency {code: r}) SET a.name = r", {"rows": ["zz"]}
            )
            raise RuntimeError("fail mid-transaction")
    assert await store.counts() == counts
    assert "zz" not in await store.agency_codes()


async def test_values_are_parameters_never_cypher(
    store: CypherStore, keyring: Keyring, data_dir: Path
) -> None:
    hostile = "x'}) DETACH DELETE n //"
    await ingest_records(store, keyring, [*base(), f.institution(U2, hostile)], data_dir)
    assert (await store.get_nodes("Institution", [U2]))[U2]["name"] == hostile
    assert (await store.counts())["Person"] == 2


def test_second_process_cannot_open_the_embedded_store(settings: Settings, tmp_path: Path) -> None:
    code = (
        "import asyncio, sys, time\n"
        "from hub.graph import open_store\nfrom hub.settings import Settings\n"
        "async def main():\n"
        "    s = await open_store(Settings())\n"
        "    print('open', flush=True); time.sleep(30)\n"
        "asyncio.run(main())\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        second = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
        )
        assert second.returncode != 0
        assert "StoreLocked" in second.stderr and "another process" in second.stderr
    finally:
        holder.kill()
        holder.wait()


async def test_a_subject_keeps_fields_another_agency_sent(
    store: CypherStore, keyring: Keyring, data_dir: Path
) -> None:
    licence = {**f.institution(U1, "一院"), "source": f.src("hc"), "licence_no": "PDY123"}
    registration = {**f.institution(U1, "第一医院"), "kind": None, "licence_no": None}
    await ingest_records(store, keyring, [*f.AGENCIES, licence, registration], data_dir)
    node = (await store.get_nodes("Institution", [U1]))[U1]
    assert (node["name"], node["kind"], node["licence_no"]) == ("第一医院", "综合医院", "PDY123")
    assert node["src_agency"] == "mr"  # provenance names the last record written
    await ingest_records(store, keyring, [*f.AGENCIES, {**licence, "name": "一院"}], data_dir)
    assert (await store.get_nodes("Institution", [U1]))[U1]["name"] == "一院"

"""Publication: the required fields, masked IDs only, three formats."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import openpyxl
import pytest

from hub.workflows import WorkflowService
from hub.workflows.publication import LIST_FIELDS, render
from tests.workflows.conftest import CLEAR_IDS, RIOTER, A, person, uscc
from tests.workflows.helpers import listed

D = dt.date


async def test_person_entries_show_only_a_masked_id(wf: WorkflowService) -> None:
    await wf.lists.propose(
        "ps",
        "officer",
        person(RIOTER),
        "medical_order",
        "倒卖医院号源，被处以行政拘留",
        "《治安管理处罚法》",
        "ordinary",
        D(2025, 5, 1),
        entry_id="MO",
    )
    await wf.lists.notify("ps", "officer", "MO", D(2025, 5, 1))
    await wf.lists.activate("ps", "officer", "MO", D(2025, 5, 11))
    table = await wf.publication.lists(D(2025, 6, 1), ("medical_order",))
    (row,) = table.rows
    assert row["subject_name"] == "赵某" and row["subject_id_type"] == "居民身份证"
    assert row["subject_id"] == RIOTER[:6] + "********" + RIOTER[-4:]
    assert row["legal_representative_name"] == row["legal_representative_id"] == ""
    assert row["deciding_agency"] == "公安局"
    for fmt in ("csv", "json", "xlsx"):
        body, media = render(table, fmt)  # type: ignore[arg-type]
        assert RIOTER.encode() not in body and media


async def test_formats_carry_exactly_the_fields(wf: WorkflowService) -> None:
    await listed(wf)
    table = await wf.publication.lists(D(2025, 4, 1))
    csv_body, media = render(table, "csv")
    assert media.startswith("text/csv") and csv_body.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(csv_body.decode("utf-8-sig"))))
    assert lines[0] == [label for _, label in LIST_FIELDS] and len(lines) == 2
    data = json.loads(render(table, "json")[0])
    assert [f["key"] for f in data["fields"]] == [k for k, _ in LIST_FIELDS]
    assert [list(e) for e in data["entries"]] == [[k for k, _ in LIST_FIELDS]]
    sheet = openpyxl.load_workbook(io.BytesIO(render(table, "xlsx")[0])).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[1]) == [label for _, label in LIST_FIELDS]
    assert rows[2][1] == "甲市人民医院" and rows[2][3] == A
    with pytest.raises(ValueError):
        render(table, "pdf")  # type: ignore[arg-type]
    for number in CLEAR_IDS:
        assert number.encode() not in csv_body


async def test_under_objection_is_still_published_expired_and_repaired_are_not(
    wf: WorkflowService,
) -> None:
    await listed(wf, severity="minor")  # publicity 2025-03-11 .. 2025-06-10
    await wf.objections.file("hc", "officer", "E1", D(2025, 4, 1), "不服")
    assert len((await wf.publication.lists(D(2025, 4, 2))).rows) == 1
    assert (await wf.publication.lists(D(2025, 6, 11))).rows == []  # before any sweep
    assert (await wf.publication.lists(D(2025, 3, 10))).rows == []  # not yet in force
    annual = await wf.publication.annual(2025, ("black",))
    assert annual.as_of == "2025-12-31" and annual.rows == []


async def test_red_list_row(wf: WorkflowService) -> None:
    await wf.lists.propose(
        "hc",
        "officer",
        uscc(A),
        "red",
        "2024年度信用评价优秀",
        "年度信用评价结果",
        "minor",
        D(2025, 1, 2),
        entry_id="R",
    )
    await wf.lists.notify("hc", "officer", "R", D(2025, 1, 2))
    await wf.lists.activate("hc", "officer", "R", D(2025, 1, 9))
    (row,) = (await wf.publication.annual(2025)).rows
    assert row["list"].startswith("红榜") and row["valid_until"] == "2026-01-08"
    assert row["legal_representative_name"] == "王法人"

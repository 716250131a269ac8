"""Every agency in every format: exact row counts and rejection reasons, rest still lands."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pytest

from tests.connectors.conftest import ingest, rejections
from tests.connectors.samples import SAMPLES, Sample

FORMATS = ("csv-utf-8", "csv-utf-8-sig", "csv-gbk", "xlsx", "jsonl")


def write(sample: Sample, fmt: str, tmp_path: Path) -> tuple[Path, list[str]]:
    """The sample as a file, and each data row's expected position."""
    if fmt.startswith("csv-"):
        path = tmp_path / f"{sample.agency}.data"  # the name says nothing about the format
        with path.open("w", encoding=fmt.removeprefix("csv-"), newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(sample.header)
            writer.writerows(sample.rows)
        return path, [f"{path.name}:line {i + 2}" for i in range(len(sample.rows))]
    if fmt == "xlsx":
        path = tmp_path / f"{sample.agency}.xlsx"
        book = openpyxl.Workbook()
        ws = book.active
        ws.title = sample.sheet
        ws.append(sample.header)
        for row in sample.rows:
            ws.append(row)
        book.save(path)
        return path, [f"{path.name}:{sample.sheet}:row {i + 2}" for i in range(len(sample.rows))]
    path = tmp_path / f"{sample.agency}.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for row in sample.rows:
            fh.write(
                json.dumps(dict(zip(sample.header, row, strict=True)), ensure_ascii=False) + "\n"
            )
    return path, [f"{path.name}:line {i + 1}" for i in range(len(sample.rows))]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("code", sorted(SAMPLES))
async def test_agency_format(hub: object, tmp_path: Path, code: str, fmt: str) -> None:
    sample = SAMPLES[code]
    path, positions = write(sample, fmt, tmp_path)

    report = await ingest(code, path)

    assert report.format == fmt.split("-", 1)[0]
    if fmt.startswith("csv-"):
        assert (
            report.encoding
            == {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "gbk": "gb18030"}[
                fmt.removeprefix("csv-")
            ]
        )
    assert (report.rows.read, report.rows.accepted, report.rows.rejected) == (
        len(sample.rows),
        sample.good,
        len(sample.bad),
    )
    assert report.rows.read == report.rows.accepted + report.rows.rejected
    assert report.ingest.read == report.ingest.accepted + report.ingest.rejected
    assert report.ingest.accepted == sample.records
    expected = [(positions[i], field, reason) for i, (field, reason) in sorted(sample.bad.items())]
    assert rejections(report) == expected
    assert report.ingest.quarantine_file is not None


async def test_reingest_changes_nothing(hub: object, tmp_path: Path) -> None:
    path, _ = write(SAMPLES["mr"], "csv-gbk", tmp_path)
    await ingest("mr", path)
    again = await ingest("mr", path)
    assert all(c["created"] == c["updated"] == 0 for c in again.ingest.written.values())
    assert again.rows.accepted == SAMPLES["mr"].good

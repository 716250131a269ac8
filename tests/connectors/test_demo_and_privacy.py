"""`credit-hub demo-data` then `credit-hub ingest` for every agency: the manifest's counts
come back exactly, and no clear ID number is left anywhere under the data dir."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

from typer.testing import CliRunner

from hub.cli import app
from hub.settings import Settings

RESIDENT_ID = re.compile(rb"\d{17}[\dX]")


def clear_ids(folder: Path) -> set[bytes]:
    """Every resident ID number in the demo files, normalised (the CSV is GBK)."""
    found: set[bytes] = set()
    for path in folder.iterdir():
        if path.suffix == ".xlsx":
            import openpyxl

            book = openpyxl.load_workbook(path, read_only=True)
            text = " ".join(
                str(v) for ws in book.worksheets for r in ws.iter_rows(values_only=True) for v in r
            )
            book.close()
        else:
            raw = path.read_bytes()
            text = raw.decode("gbk") if path.name.startswith("mr_") else raw.decode("utf-8-sig")
        clean = unicodedata.normalize("NFKC", text).replace("\u200b", "").upper()
        found |= set(RESIDENT_ID.findall(clean.encode()))
    return found


def test_demo_data_ingests_as_declared_and_leaves_no_clear_id(
    hub: Settings, tmp_path: Path
) -> None:
    runner = CliRunner()
    out = tmp_path / "demo"
    made = runner.invoke(
        app, ["demo-data", str(out), "--scale", "40", "--bad-rows", "0.05", "--seed", "5"]
    )
    assert made.exit_code == 0, made.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {f["agency"] for f in manifest["files"]} == {"mr", "hc", "mi", "ps"}
    assert sum(f["bad_rows"] for f in manifest["files"]) > 0

    for entry in manifest["files"]:
        report_path = tmp_path / f"{entry['file']}.report.json"
        done = runner.invoke(
            app, ["ingest", entry["agency"], str(out / entry["file"]), "--report", str(report_path)]
        )
        assert done.exit_code == 0, done.output
        report = json.loads(report_path.read_text(encoding="utf-8"))
        assert report["format"] == entry["format"]
        if entry["format"] == "csv":
            assert (
                report["encoding"]
                == {"gbk": "gb18030", "utf-8-sig": "utf-8-sig"}[entry["encoding"]]
            )
        rows = report["rows"]
        assert (rows["read"], rows["rejected"]) == (entry["rows"], entry["bad_rows"]), entry
        assert rows["read"] == rows["accepted"] + rows["rejected"]
        assert report["read"] == report["accepted"] + report["rejected"]
        assert report["rejected"] == entry["bad_rows"]
        assert all(r["field"] and r["reason"] for r in report["rejections"])

    stats = runner.invoke(app, ["stats"])
    graph = json.loads(stats.stdout)
    assert graph["Institution"] >= 38 and graph["ListEntry"] > 0 and graph["Evaluation"] > 0

    ids = clear_ids(out)
    assert len(ids) > 100
    files = [p for p in hub.data_dir.rglob("*") if p.is_file()]
    assert any(p.parent.name == "quarantine" for p in files)
    for path in files:
        leaked = ids & set(RESIDENT_ID.findall(path.read_bytes().upper()))
        assert not leaked, f"clear ID number in {path}"

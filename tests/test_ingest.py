"""Canonical ingest end to end through the CLI: counts, rejections, idempotence, no clear IDs."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from hub.cli import app
from hub.demo import generate
from hub.personal_data import load_keyring
from hub.records import RECORD_TYPES, json_schema
from hub.settings import Settings

runner = CliRunner()


def write_file(path: Path, institutions: int, bad: float, seed: int = 7) -> tuple[int, list[str]]:
    world, lines = generate(institutions, seed=seed, bad_share=bad)
    rows = list(lines)
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return len(rows), [p["id_number"] for p in world.persons]


def ingest(path: Path, report: Path) -> dict[str, object]:
    result = runner.invoke(app, ["ingest", "canonical", str(path), "--report", str(report)])
    assert result.exit_code == 0, result.output
    return json.loads(report.read_text())  # type: ignore[no-any-return]


def test_ten_thousand_lines_with_bad_ones(data_dir: Path, tmp_path: Path) -> None:
    source = tmp_path / "canonical.jsonl"
    total, numbers = write_file(source, 780, bad=0.05)
    assert total >= 10_000
    first = ingest(source, tmp_path / "r1.json")
    assert first["read"] == total
    assert first["accepted"] + first["rejected"] == first["read"]  # type: ignore[operator]
    assert 0.03 * total < first["rejected"] < 0.07 * total  # type: ignore[operator]
    for rejection in first["rejections"]:  # type: ignore[attr-defined]
        assert rejection["position"].startswith("line ")
        assert rejection["field"] and rejection["reason"]
    reasons = {(r["field"], r["reason"].split(" (")[0]) for r in first["rejections"]}  # type: ignore[attr-defined]
    assert ("source.agency", "unknown agency 'nonexistent-agency'") in reasons
    assert ("source", "Field required") in reasons
    assert any(field == "type" for field, _ in reasons)
    assert any(field == "line" and "not valid JSON" in why for field, why in reasons)

    stats = runner.invoke(app, ["stats"])
    counts = json.loads(stats.stdout)
    second = ingest(source, tmp_path / "r2.json")
    assert json.loads(runner.invoke(app, ["stats"]).stdout) == counts
    assert (second["read"], second["accepted"], second["rejected"]) == (
        first["read"],
        first["accepted"],
        first["rejected"],
    )
    written = second["written"]
    assert all(c["created"] == 0 and c["updated"] == 0 for c in written.values())  # type: ignore[attr-defined]

    # No resident ID number in clear anywhere under the data directory.
    blobs = [p.read_bytes() for p in data_dir.rglob("*") if p.is_file()]
    assert blobs
    for number in numbers[:200]:
        assert not any(number.encode() in blob for blob in blobs), "clear ID under data dir"


def test_quarantined_line_is_kept_sealed_and_recoverable(data_dir: Path, tmp_path: Path) -> None:
    source = tmp_path / "one.jsonl"
    bad = {
        "type": "person",
        "source": {"agency": "co", "record_id": "1"},
        "id_type": "resident_id",
        "id_number": "110105194912310021",
        "name": "x",
    }
    source.write_text(json.dumps(bad) + "\n")
    report = ingest(source, tmp_path / "r.json")
    assert report["rejected"] == 1
    (rejection,) = report["rejections"]  # type: ignore[misc]
    assert rejection["field"] == "id_number"
    assert rejection["reason"] == "wrong check character (got '110105********0021')"
    quarantine = Path(report["quarantine_file"])  # type: ignore[arg-type]
    entry = json.loads(quarantine.read_text())
    assert b"110105194912310021" not in quarantine.read_bytes()
    keyring = load_keyring(Settings().secret_path)
    context = f"{entry['source']}|{entry['position']}".encode()
    assert json.loads(keyring.unseal(entry["sealed_row"], context)) == bad


def test_records_schema_is_published(data_dir: Path) -> None:
    result = runner.invoke(app, ["records-schema"])
    schema = json.loads(result.stdout)
    assert schema == json_schema()
    tags = {
        v["properties"]["type"]["const"]
        for v in schema["$defs"].values()
        if "type" in v.get("properties", {}) and "const" in v["properties"]["type"]
    }
    assert tags == set(RECORD_TYPES)


def test_init_creates_secret_once(tmp_path: Path, monkeypatch: object) -> None:
    import pytest

    mp = pytest.MonkeyPatch()
    mp.setenv("HUB_DATA_DIR", str(tmp_path / "fresh"))
    try:
        assert runner.invoke(app, ["init"]).exit_code == 0
        key = tmp_path / "fresh" / "secrets" / "hub.key"
        body = key.read_bytes()
        assert oct(key.stat().st_mode & 0o777) == "0o600"
        assert runner.invoke(app, ["init"]).exit_code == 0
        assert key.read_bytes() == body
    finally:
        mp.undo()

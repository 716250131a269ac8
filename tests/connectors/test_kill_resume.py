"""SIGKILL an ingest half-way, run it again: the graph equals one clean run's."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from connectors.demo_writers import write_csv
from hub.demo import make_name, make_resident_id, make_uscc
from hub.graph import open_store
from hub.personal_data import create_secret_file
from hub.settings import Settings
from tests.connectors.samples import MR

ROWS = 3000
CLI = str(Path(sys.executable).parent / "credit-hub")
IGNORED = {"first_seen", "last_seen"}


def registration_file(path: Path) -> list[str]:
    rng = random.Random(7)
    usccs = [make_uscc(rng) for _ in range(ROWS)]
    rows = [
        [
            u,
            f"{make_name(rng)}诊所",
            make_name(rng),
            "居民身份证",
            make_resident_id(rng),
            "2019年3月5日",
            "存续",
        ]
        for u in usccs
    ]
    for row in rows[::97]:
        row[5] = "2019年2月30日"  # some bad rows, quarantined both times
    write_csv(path, MR.header, rows, "gbk")
    return usccs


def env(data_dir: Path) -> dict[str, str]:
    return {**os.environ, "HUB_DATA_DIR": str(data_dir), "HUB_INGEST_BATCH_SIZE": "200"}


def run_to_end(data_dir: Path, path: Path) -> None:
    done = subprocess.run(
        [CLI, "ingest", "mr", str(path)], env=env(data_dir), capture_output=True, timeout=120
    )
    assert done.returncode == 0, done.stderr.decode()


def kill_half_way(data_dir: Path, path: Path) -> int:
    proc = subprocess.Popen(
        [CLI, "ingest", "market-regulation", str(path)],
        env=env(data_dir),
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
    )
    assert proc.stderr is not None
    try:
        for line in proc.stderr:
            if line.startswith(b"progress: ") and int(line.split()[1]) >= ROWS // 2:
                proc.send_signal(signal.SIGKILL)
                break
    finally:
        proc.wait(timeout=60)
    return proc.returncode


async def snapshot(data_dir: Path, usccs: list[str]) -> dict[str, Any]:
    store = await open_store(Settings(data_dir=data_dir))
    try:
        sample = usccs[:: ROWS // 60]
        institutions = await store.get_nodes("Institution", sample)
        roles = await store.roles_of("institution", sample)
        persons = await store.get_nodes("Person", [r["pkey"] for rs in roles.values() for r in rs])

        def clean(rows: dict[str, Any]) -> dict[str, Any]:
            return {k: {f: v for f, v in r.items() if f not in IGNORED} for k, r in rows.items()}

        return {
            "counts": await store.counts(),
            "institutions": clean(institutions),
            "persons": clean(persons),
            "roles": {
                k: sorted(str(sorted((f, v) for f, v in r.items() if f not in IGNORED)) for r in rs)
                for k, rs in roles.items()
            },
        }
    finally:
        await store.close()


async def test_sigkill_then_rerun_equals_clean_run(tmp_path: Path) -> None:
    path = tmp_path / "登记.csv"
    usccs = registration_file(path)
    killed, clean = tmp_path / "killed", tmp_path / "clean"
    create_secret_file(Settings(data_dir=killed).secret_path)
    (clean / "secrets").mkdir(parents=True)
    shutil.copy(Settings(data_dir=killed).secret_path, Settings(data_dir=clean).secret_path)

    assert kill_half_way(killed, path) == -signal.SIGKILL
    half = await snapshot(killed, usccs)
    assert 0 < half["counts"]["Institution"] < ROWS  # it really stopped half-way
    run_to_end(killed, path)
    run_to_end(clean, path)

    after, once = await snapshot(killed, usccs), await snapshot(clean, usccs)
    assert after == once
    assert once["counts"]["Institution"] == ROWS - len(range(0, ROWS, 97))

"""Ingest benchmark: canonical rows/s and peak memory on the embedded store.

    .venv/bin/python bench/bench_ingest.py --rows 100000
    .venv/bin/python bench/bench_ingest.py --rows 1000000

Generates a canonical file (≈13 lines per institution) in a temporary directory,
ingests it through the real CLI path into a fresh embedded store, then ingests it
again (the idempotent re-run), and prints rows/s, the CPU time of the ingest (all
threads: parsing, the store's writer), the time to close the store (its final
checkpoint), peak RSS so far (the process's, so the second run's includes the first)
and the 1-minute load average (a busy machine slows both runs) for both runs.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from hub.demo import generate
from hub.graph import open_store
from hub.ingest import Ingestor, ingest_lines
from hub.personal_data import create_secret_file, load_keyring
from hub.settings import Settings


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def run(path: Path, settings: Settings) -> tuple[int, float, float, float]:
    """(rows read, ingest seconds, ingest CPU seconds, close seconds): closing folds the
    WAL into the file."""
    store = await open_store(settings)
    try:
        ingestor = Ingestor(
            store,
            load_keyring(settings.secret_path),
            str(path),
            settings.quarantine_dir,
            settings.ingest_batch_size,
        )
        start, cpu = time.perf_counter(), time.process_time()
        with path.open(encoding="utf-8") as fh:
            report = await ingest_lines(ingestor, fh)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    finally:
        start = time.perf_counter()
        await store.close()
    return report.read, seconds, cpu, time.perf_counter() - start


def write_canonical(path: Path, rows: int) -> int:
    """Generate ≈`rows` canonical lines into `path`; returns how many were written."""
    _, lines = generate(max(1, rows // 13), seed=42)
    written = 0
    with path.open("w", encoding="utf-8") as fh:
        for line in lines:
            fh.write(line + "\n")
            written += 1
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=Settings().ingest_batch_size)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["HUB_DATA_DIR"] = str(Path(tmp) / "var")
        settings = Settings(ingest_batch_size=args.batch)
        create_secret_file(settings.secret_path)
        path = Path(tmp) / "canonical.jsonl"
        # In a child process, so the generator's world does not count in this one's peak RSS.
        with ProcessPoolExecutor(1) as child:
            written = child.submit(write_canonical, path, args.rows).result()
        print(f"rows={written} batch={args.batch} file={path.stat().st_size / 2**20:.0f} MiB")
        for label in ("first ingest", "re-ingest (unchanged)"):
            rows, seconds, cpu, closing = asyncio.run(run(path, settings))
            print(
                f"{label:24s} {rows:>9d} rows {seconds:8.1f} s {rows / seconds:>9.0f} rows/s "
                f"cpu {cpu:6.1f} s  close {closing:4.1f} s  peak RSS {peak_mib():.0f} MiB  "
                f"load {os.getloadavg()[0]:.1f}"
            )


if __name__ == "__main__":
    main()

"""Connector throughput per format, and peak memory, to show reading is streamed.

Generates market-regulation registration rows (one institution, one person, one role
each; 1% bad) as UTF-8 CSV, GBK CSV, XLSX with a merged two-row header, and JSON Lines,
then reads each in a fresh child process through the whole connector pipeline (decode,
header detection, cell normalisation, canonical validation) into a counting sink, and
reports rows/s and the child's peak RSS (getrusage maxrss). Flat memory whatever the row
count is the point. `--store-rows N` also times N rows end to end into a real embedded
store (the store, not the reader, is then the bottleneck).

    .venv/bin/python bench/bench_connectors.py --rows 100000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HEADER = [
    "统一社会信用代码",
    "企业名称",
    "法定代表人",
    "法定代表人证件类型",
    "法定代表人证件号码",
    "成立日期",
    "登记状态",
]
FORMATS = ("csv-utf8", "csv-gbk", "xlsx", "jsonl")


def rows(n: int, seed: int = 1) -> Iterator[list[Any]]:
    from hub.demo import make_name, make_resident_id, make_uscc

    rng = random.Random(seed)
    dates = ("2019年3月5日", "2019/3/5", "20190305", "2019-03-05", "43529")
    for i in range(n):
        row: list[Any] = [
            make_uscc(rng),
            f"{make_name(rng)}诊所",
            make_name(rng),
            "居民身份证",
            make_resident_id(rng),
            dates[i % 5],
            "存续",
        ]
        if i % 100 == 99:
            row[5] = "2019年2月30日"
        yield row


def generate(fmt: str, path: Path, n: int) -> None:
    from connectors.demo_writers import NativeSheet, write_csv, write_jsonl, write_xlsx_streaming

    if fmt == "csv-utf8":
        write_csv(path, HEADER, rows(n), "utf-8")
    elif fmt == "csv-gbk":
        write_csv(path, HEADER, rows(n), "gbk")
    elif fmt == "jsonl":
        write_jsonl(path, (dict(zip(HEADER, r, strict=True)) for r in rows(n)))
    else:  # 法定代表人 as a merged top cell over its three sub-columns
        header = [*HEADER[:2], "姓名", "证件类型", "证件号码", *HEADER[5:]]
        groups = {"法定代表人": ["姓名", "证件类型", "证件号码"]}
        write_xlsx_streaming(path, [NativeSheet("企业登记", header, rows(n), groups)])


class CountingSink:
    """Stands in for the Ingestor: counts, so only the reading side is timed."""

    def __init__(self) -> None:
        self.accepted = 0
        self.rejected = 0

    async def accept(self, position: str, record: Any, raw: str) -> bool:
        self.accepted += 1
        return True

    def reject(self, position: str, field: str, reason: str, raw: str) -> None:
        self.rejected += 1


async def read_only(path: Path) -> dict[str, Any]:
    from connectors import formats
    from connectors.agencies import agency
    from connectors.csv_source import open_csv
    from connectors.jsonl_source import read_jsonl
    from connectors.pipeline import Pipeline
    from connectors.table import Context
    from connectors.xlsx_source import open_xlsx
    from hub.personal_data import Keyring

    sink = CountingSink()
    ctx = Context("mr", Keyring.from_master(bytes(32)))
    pipeline = Pipeline(agency("mr").tables, sink, ctx)  # type: ignore[arg-type]
    kind = formats.detect(path)
    if kind == "csv":
        sheet, raw, _ = open_csv(path)
        await pipeline.sheet(sheet)
        raw.close()
    elif kind == "jsonl":
        with path.open("rb") as fh:
            await pipeline.items(read_jsonl(path, fh))
    else:
        sheets, book = open_xlsx(path)
        for sheet in sheets:
            await pipeline.sheet(sheet)
        book.close()
    return {
        "rows": pipeline.rows.read,
        "rejected": pipeline.rows.rejected,
        "records": sink.accepted,
    }


async def end_to_end(path: Path) -> dict[str, Any]:
    from connectors.agencies import agency
    from connectors.runner import run
    from hub.personal_data import create_secret_file
    from hub.settings import Settings

    with tempfile.TemporaryDirectory() as data:
        settings = Settings(data_dir=Path(data))
        create_secret_file(settings.secret_path)
        report = await run(agency("mr"), str(path), settings)
    return {
        "rows": report.rows.read,
        "rejected": report.rows.rejected,
        "records": report.ingest.accepted,
    }


def child(mode: str, path: Path) -> None:
    started = time.perf_counter()
    result = (
        asyncio.run(end_to_end(path) if mode == "store" else read_only(path))
        if mode != "baseline"
        else {}
    )
    if mode == "baseline":
        asyncio.run(_import_only())
    result["seconds"] = time.perf_counter() - started
    result["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


async def _import_only() -> None:
    import connectors.runner  # noqa: F401  the same imports a reading child pays for


def measure(mode: str, path: Path) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(path)],
        capture_output=True,
        check=True,
        text=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument(
        "--store-rows", type=int, default=0, help="also time N rows into a real store"
    )
    parser.add_argument("--keep", type=Path, help="keep the generated files in this folder")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-connectors-"))
    folder.mkdir(parents=True, exist_ok=True)
    base = measure("baseline", folder)
    print(
        f"{args.rows:,} rows per format; "
        f"child baseline (imports only) maxrss {base['maxrss_mb']:.0f} MB"
    )
    print(
        f"{'format':10} {'file MB':>8} {'gen s':>7} {'read s':>7} {'rows/s':>9} "
        f"{'maxrss MB':>10}  rows/rejected/records"
    )
    for fmt in args.formats.split(","):
        path = (
            folder
            / f"bench.{fmt}.{'xlsx' if fmt == 'xlsx' else 'jsonl' if fmt == 'jsonl' else 'csv'}"
        )
        t0 = time.perf_counter()
        generate(fmt, path, args.rows)
        gen = time.perf_counter() - t0
        got = measure("read", path)
        print(
            f"{fmt:10} {path.stat().st_size / 2**20:8.1f} {gen:7.1f} {got['seconds']:7.1f} "
            f"{got['rows'] / got['seconds']:9,.0f} {got['maxrss_mb']:10.0f}  "
            f"{got['rows']}/{got['rejected']}/{got['records']}"
        )
        if not args.keep:
            path.unlink()
    if args.store_rows:
        path = folder / "bench.store.csv"
        generate("csv-gbk", path, args.store_rows)
        got = measure("store", path)
        print(
            f"end to end into the embedded store, GBK CSV, {args.store_rows:,} rows: "
            f"{got['seconds']:.1f} s, {got['rows'] / got['seconds']:,.0f} rows/s "
            f"({got['records'] / got['seconds']:,.0f} records/s), "
            f"maxrss {got['maxrss_mb']:.0f} MB"
        )
        if not args.keep:
            path.unlink()
    if not args.keep:
        os.rmdir(folder)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()

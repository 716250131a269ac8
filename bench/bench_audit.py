"""Benchmark of the audit log (a script, not a test; bounded and self-stopping).

Measures:
  1. durable appends/s: blocking ``append()`` from many threads, and pipelined
     ``submit()`` (each thread keeps a window of appends in flight, as an async server
     would); every counted append has been committed with fsync;
  2. latency from ``append()`` to being covered by a signed checkpoint;
  2b. the same through the log's own process as the hub runs it (``LogProcess``): appends/s
     and the time from sending an append to its receipt, from asyncio tasks;
  3. time to verify a 1,000,000-entry export (built synthetically first), with the
     default worker processes (one per CPU, up to 4) and in one process.

Run:  .venv/bin/python bench/bench_audit.py [--entries 1000000] [--seconds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from audit import AccessLeaf, AccessRecord, AuditLog, Result, Signer, query_sha256, verify_export
from audit.checkpoint import Checkpoint, sign_checkpoint
from audit.export import checkpoint_line, entry_line, header_line
from audit.leaf import encode_leaf, subject_commitment
from audit.merkle import leaf_hash
from audit.process import LogProcess
from audit.tree import MerkleTree

ORIGIN = "credit-hub.bench/audit"
QUERY = query_sha256("query CreditsBySubject($id: ID!) { credits(subject: $id) { id } }")


def record(i: int) -> AccessRecord:
    return AccessRecord(
        f"user:{i % 500}",
        "SUPERSALUD",
        "analyst",
        "supervision",
        "query CreditsBySubject",
        QUERY,
        Result("allowed", 1),
    )


def run_threads(
    threads: int, seconds: float, body: Callable[[int, Callable[[], bool]], int]
) -> float:
    """Run ``body(thread_no, keep_going)`` in threads; returns completed appends/s."""
    stop_at = time.perf_counter() + seconds
    counts = [0] * threads

    def keep_going() -> bool:
        return time.perf_counter() < stop_at

    def worker(t: int) -> None:
        counts[t] = body(t, keep_going)

    pool = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
    start = time.perf_counter()
    for th in pool:
        th.start()
    for th in pool:
        th.join()
    return sum(counts) / (time.perf_counter() - start)


def bench_appends(directory: Path, signer: Signer, seconds: float) -> list[tuple[str, str]]:
    rows = []
    for threads in (16, 64):
        with AuditLog(directory / f"blocking{threads}.db", ORIGIN, [signer]) as log:

            def blocking(t: int, go: Callable[[], bool], log: AuditLog = log) -> int:
                n = 0
                while go():
                    log.append(record(n), [f"CC-{t}-{n}"])
                    n += 1
                return n

            rate = run_threads(threads, seconds, blocking)
        rows.append((f"durable appends/s, append() x {threads} threads", f"{rate:,.0f}"))
    for threads, window in ((4, 512),):
        with AuditLog(directory / f"pipelined{threads}.db", ORIGIN, [signer]) as log:

            def pipelined(
                t: int, go: Callable[[], bool], log: AuditLog = log, window: int = window
            ) -> int:
                n = 0
                inflight: collections.deque = collections.deque()  # type: ignore[type-arg]
                while go():
                    inflight.append(log.submit(record(n), [f"CC-{t}-{n}"]))
                    if len(inflight) >= window:
                        inflight.popleft().result()
                        n += 1
                for pending in inflight:  # count only appends that became durable
                    pending.result()
                    n += 1
                return n

            rate = run_threads(threads, seconds, pipelined)
        label = f"durable appends/s, submit() x {threads} threads, {window} in flight"
        rows.append((label, f"{rate:,.0f}"))
    return rows


def bench_process(directory: Path, signer: Signer, seconds: float) -> list[tuple[str, str]]:
    """Appends through the log's process from asyncio tasks, as the hub's event loop makes
    them (one in flight per task, like one per HTTP request)."""
    rows = []
    for tasks in (8, 64):

        async def run(tasks: int = tasks) -> tuple[float, list[float]]:
            log = LogProcess.start(
                directory / f"process{tasks}.db", ORIGIN, [signer], loop=asyncio.get_running_loop()
            )
            waits: list[float] = []
            deadline = time.perf_counter() + seconds

            async def task(t: int) -> None:
                n = 0
                while time.perf_counter() < deadline:
                    sent = time.perf_counter()
                    await log.append_async(record(n), [f"CC-{t}-{n}"])
                    waits.append(time.perf_counter() - sent)
                    n += 1

            start = time.perf_counter()
            await asyncio.gather(*(task(t) for t in range(tasks)))
            elapsed = time.perf_counter() - start
            await asyncio.to_thread(log.close)
            return len(waits) / elapsed, sorted(waits)

        rate, waits = asyncio.run(run())
        p50, p99 = waits[len(waits) // 2], waits[int(len(waits) * 0.99)]
        rows.append((f"log process: durable appends/s, {tasks} asyncio tasks", f"{rate:,.0f}"))
        rows.append(
            (
                f"log process: append to receipt, {tasks} tasks, p50 / p99",
                f"{p50 * 1e3:.2f} / {p99 * 1e3:.2f} ms",
            )
        )
    return rows


def bench_checkpoint_latency(
    directory: Path, signer: Signer, seconds: float
) -> list[tuple[str, str]]:
    latencies: list[float] = []
    with AuditLog(directory / "latency.db", ORIGIN, [signer]) as log:
        lock = threading.Lock()

        def body(t: int, go: Callable[[], bool]) -> int:
            n = 0
            while go():
                start = time.perf_counter()
                receipt = log.append(record(n), [f"CC-{t}-{n}"])
                if n % 10 == 0:
                    log.wait_for_checkpoint(receipt.index, timeout=5)
                    with lock:
                        latencies.append(time.perf_counter() - start)
                n += 1
            return n

        rate = run_threads(16, seconds, body)
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    return [
        (
            f"append -> signed checkpoint, p50 (load {rate:,.0f}/s)",
            f"{statistics.median(latencies) * 1000:.0f} ms",
        ),
        ("append -> signed checkpoint, p99", f"{p99 * 1000:.0f} ms"),
        ("append -> signed checkpoint, max", f"{latencies[-1] * 1000:.0f} ms"),
    ]


def build_export(path: Path, signer: Signer, entries: int) -> float:
    """Write a synthetic export with a checkpoint every 100,000 entries."""
    start = time.perf_counter()
    nonce = bytes(32)
    tree = MerkleTree()
    lines: list[bytes] = []
    notes: list[str] = []
    base = record(0)
    for i in range(entries):
        leaf = encode_leaf(AccessLeaf(base, (subject_commitment(nonce, b"CC-%d" % i),)))
        digest = leaf_hash(leaf)
        tree.append(digest)
        lines.append(entry_line(i, digest, leaf))
        if (i + 1) % 100_000 == 0 or i + 1 == entries:
            notes.append(sign_checkpoint(Checkpoint(ORIGIN, i + 1, tree.root()), [signer]).note)
    with open(path, "wb") as out:
        out.write(header_line(ORIGIN, entries, len(notes)))
        for note in notes:
            out.write(checkpoint_line(note))
        out.writelines(lines)
    return time.perf_counter() - start


def bench_verify(directory: Path, signer: Signer, entries: int) -> list[tuple[str, str]]:
    path = directory / "export.jsonl"
    built = build_export(path, signer, entries)
    size_mb = path.stat().st_size / 1e6
    rows = [(f"build {entries:,}-entry export ({size_mb:,.0f} MB)", f"{built:.1f} s")]
    for workers, label in ((None, "default: a process per CPU"), (1, "one process")):
        start = time.perf_counter()
        result = verify_export(path, [signer.verifier()], workers=workers)
        elapsed = time.perf_counter() - start
        assert result.ok, result.summary()
        rows.append((f"verify {entries:,}-entry export ({label})", f"{elapsed:.2f} s"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    signer = Signer.generate(ORIGIN)
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="bench-audit-") as tmp:
        directory = Path(tmp)
        rows += bench_appends(directory, signer, args.seconds)
        rows += bench_process(directory, signer, args.seconds)
        rows += bench_checkpoint_latency(directory, signer, args.seconds)
        rows += bench_verify(directory, signer, args.entries)
    width = max(len(name) for name, _ in rows)
    print(f"{'measure'.ljust(width)}  value")
    print(f"{'-' * width}  {'-' * 12}")
    for name, value in rows:
        print(f"{name.ljust(width)}  {value}")


if __name__ == "__main__":
    main()

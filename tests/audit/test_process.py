"""The access log in a process of its own: the same log, and failing closed when it dies."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from audit import AuditError, AuditLog, AuditUnavailable, Signer, open_checkpoint, verify_inclusion
from audit.merkle import leaf_hash
from audit.process import LogProcess

from .conftest import ORIGIN, REPO, make_record


def _start(tmp_path: Path, signer: Signer) -> LogProcess:
    return LogProcess.start(tmp_path / "audit.db", ORIGIN, [signer])


def test_appends_are_durable_proved_and_kept_after_close(
    tmp_path: Path, log_signer: Signer
) -> None:
    log = _start(tmp_path, log_signer)
    receipts = [log.append(make_record(i), [f"CC-{i % 3}"]) for i in range(12)]
    assert [r.index for r in receipts] == list(range(12))
    signed = log.checkpoint_now()
    open_checkpoint(signed.note, [log_signer.verifier()], ORIGIN)
    for r in receipts:
        entry = log.entry(r.index)
        assert entry.leaf_hash == r.leaf_hash == leaf_hash(entry.raw).hex()
        proof = log.inclusion_proof(r.index, signed.size)
        verify_inclusion(bytes.fromhex(r.leaf_hash), r.index, signed.size, proof, signed.root)
    assert {k for _, k in log.subject_openings(4)} == {b"CC-1"}
    assert [e.index for e in log.accesses_to("CC-2")] == [2, 5, 8, 11]
    assert [e.index for e in log.entries(after=9)] == [10, 11]
    assert log.size == 12
    log.close()
    assert log.process.returncode == 0
    with pytest.raises(AuditUnavailable, match="closed"):
        log.append(make_record(99))
    with AuditLog(tmp_path / "audit.db", ORIGIN, [log_signer]) as reopened:
        assert reopened.size == 12
        latest = reopened.latest_checkpoint()
        assert latest is not None and latest.size == 12  # signed when it closed


def test_appends_from_an_event_loop_are_read_by_that_loop(
    tmp_path: Path, log_signer: Signer
) -> None:
    async def scenario() -> None:
        log = _start_here(tmp_path, log_signer)
        try:
            receipts = await asyncio.gather(
                *(log.append_async(make_record(i), [f"CC-{i}"]) for i in range(200))
            )
            assert sorted(r.index for r in receipts) == list(range(200))
            # the loop reads the replies, so it must not block waiting for one itself
            with pytest.raises(AuditUnavailable, match="event loop"):
                log.entry(0)
            entries = await asyncio.to_thread(log.entries, None, 500)
            assert {e.index: e.leaf_hash for e in entries} == {
                r.index: r.leaf_hash for r in receipts
            }
        finally:
            await asyncio.to_thread(log.close)

    asyncio.run(scenario())


def test_closing_on_the_loop_that_reads_the_replies(tmp_path: Path, log_signer: Signer) -> None:
    async def scenario() -> None:
        log = _start_here(tmp_path, log_signer)
        await asyncio.gather(*(log.append_async(make_record(i)) for i in range(20)))
        started = time.monotonic()
        log.close()  # no reply can be read here: the child takes the closed socket as "close"
        assert time.monotonic() - started < 5
        with pytest.raises(AuditUnavailable, match="closed"):
            await log.append_async(make_record(99))

    asyncio.run(scenario())
    with AuditLog(tmp_path / "audit.db", ORIGIN, [log_signer]) as reopened:
        assert reopened.size == 20
        latest = reopened.latest_checkpoint()
        assert latest is not None and latest.size == 20


def test_a_stalled_log_process_does_not_block_the_event_loop(
    tmp_path: Path, log_signer: Signer
) -> None:
    async def scenario() -> None:
        log = _start_here(tmp_path, log_signer)
        await log.append_async(make_record(0))
        child = log.process.pid
        os.kill(child, signal.SIGSTOP)
        safety = threading.Timer(10, os.kill, (child, signal.SIGCONT))  # a regression fails
        safety.start()
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        try:
            ticking = asyncio.ensure_future(ticker())
            started = time.monotonic()
            # ~4 KB a request, 2,000 of them: far more than the socket's buffers hold
            results = await asyncio.gather(
                *(
                    log.append_async(make_record(i), ["K" * 4000 + str(i)], timeout=0.5)
                    for i in range(2000)
                ),
                return_exceptions=True,
            )
            elapsed = time.monotonic() - started
            ticking.cancel()
            assert all(isinstance(r, AuditUnavailable) and "in time" in str(r) for r in results), {
                str(r) for r in results
            }
            assert elapsed < 3 and ticks >= 20  # the loop kept turning meanwhile
        finally:
            os.kill(child, signal.SIGCONT)
            safety.cancel()
        # once it reads again, the log takes the backlog (late: those callers had their 503)
        receipt = await log.append_async(make_record(1), timeout=30)
        assert receipt.index == 2001
        await asyncio.to_thread(log.close)

    asyncio.run(scenario())


def _start_here(tmp_path: Path, signer: Signer) -> LogProcess:
    return LogProcess.start(
        tmp_path / "audit.db", ORIGIN, [signer], loop=asyncio.get_running_loop()
    )


def test_errors_cross_the_process_unchanged(tmp_path: Path, log_signer: Signer) -> None:
    with _start(tmp_path, log_signer) as log:
        log.append(make_record(0))
        with pytest.raises(IndexError, match="no entry 7"):
            log.entry(7)
        redaction = log.redact(0, "court order 1/2026")
        with pytest.raises(ValueError, match="not an access entry"):
            log.redact(redaction.index, "again")
    with pytest.raises(AuditError, match="has origin"):  # what opening the log raised
        LogProcess.start(tmp_path / "audit.db", "another.test/origin", [log_signer])


def test_a_killed_log_process_fails_closed_and_stays_failed(
    tmp_path: Path, log_signer: Signer
) -> None:
    log = _start(tmp_path, log_signer)
    log.append(make_record(0))
    log.process.kill()
    log.process.wait()
    with pytest.raises(AuditUnavailable, match=r"ended|cannot reach"):
        log.append(make_record(1))
    with pytest.raises(AuditUnavailable, match=r"ended|cannot reach"):
        log.append(make_record(2))
    started = time.monotonic()
    log.close()
    assert time.monotonic() - started < 5


def test_an_unanswered_append_times_out(tmp_path: Path, log_signer: Signer) -> None:
    log = _start(tmp_path, log_signer)
    log.append(make_record(0))
    os.kill(log.process.pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        with pytest.raises(AuditUnavailable, match="did not commit in time"):
            log.append(make_record(1), timeout=0.3)
        assert time.monotonic() - started < 2
    finally:
        os.kill(log.process.pid, signal.SIGCONT)
    log.close()


def test_a_storage_failure_in_the_process_reaches_the_caller(
    tmp_path: Path, log_signer: Signer
) -> None:
    path = tmp_path / "audit.db"
    log = LogProcess.start(path, ORIGIN, [log_signer], busy_timeout=0.2)
    log.append(make_record(0))
    holder = sqlite3.connect(path, isolation_level=None)  # another process holds the lock
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(AuditUnavailable, match="locked"):
            log.append(make_record(1))
        with pytest.raises(AuditUnavailable):  # sticky, as in the log itself
            log.append(make_record(2))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    log.close()


def test_the_log_closes_cleanly_when_its_parent_dies(tmp_path: Path, log_signer: Signer) -> None:
    script = (
        "import os, sys\n"
        "from audit import Signer\n"
        "from audit.process import LogProcess\n"
        "from tests.audit.conftest import ORIGIN, make_record\n"
        "log = LogProcess.start(sys.argv[1], ORIGIN, [Signer.from_string(sys.argv[2])])\n"
        "for i in range(3):\n"
        "    log.append(make_record(i))\n"
        "print(log.process.pid, flush=True)\n"
        "os._exit(0)  # no close: the parent just dies\n"
    )
    path = tmp_path / "audit.db"
    done = subprocess.run(
        [sys.executable, "-c", script, str(path), log_signer.to_string()],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    child = int(done.stdout.strip())
    deadline = time.monotonic() + 20
    while _running(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _running(child), "the log process outlived its parent"
    with AuditLog(path, ORIGIN, [log_signer]) as reopened:
        assert reopened.size == 3
        latest = reopened.latest_checkpoint()
        assert latest is not None and latest.size == 3


def _running(pid: int) -> bool:
    """Alive and not a zombie waiting for whoever adopted it to reap it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"

"""Durability: a writer killed with SIGKILL loses no receipted entry."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from audit import AuditLog, Signer, verify_export

from .conftest import ORIGIN, REPO, make_record

WRITER = textwrap.dedent(
    """
    import collections, sys, threading
    from audit import AuditLog, Signer
    from tests.audit.conftest import ORIGIN, make_record

    log = AuditLog(sys.argv[1], ORIGIN, [Signer.from_string(sys.argv[2])])
    window = int(sys.argv[3])  # appends each thread keeps in flight (1: blocking append)
    out_lock = threading.Lock()

    def work(t):
        i = 0
        inflight = collections.deque()
        while True:
            inflight.append(log.submit(make_record(t * 100000 + i), ["CC-%d-%d" % (t, i)]))
            i += 1
            if len(inflight) >= window:
                r = inflight.popleft().result()
                with out_lock:
                    sys.stdout.write("%d %s\\n" % (r.index, r.leaf_hash))
                    sys.stdout.flush()

    for t in range(4):
        threading.Thread(target=work, args=(t,), daemon=True).start()
    threading.Event().wait()
    """
)


@pytest.mark.parametrize("window", [1, 64])
def test_sigkill_loses_no_receipted_entry(tmp_path: Path, log_signer: Signer, window: int) -> None:
    """Blocking appends (window 1) and pipelined submits with large commit groups."""
    path = tmp_path / "audit.db"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), log_signer.to_string(), str(window)],
        stdout=subprocess.PIPE,
        cwd=REPO,
        env=env,
    )
    assert proc.stdout is not None
    receipts: dict[int, str] = {}
    deadline = time.monotonic() + 60
    while len(receipts) < 400 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        index, digest = line.split()
        receipts[int(index)] = digest.decode()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    # Receipts that were already written to the pipe before the kill count too.
    for line in proc.stdout.read().splitlines():
        parts = line.split()
        if len(parts) == 2:
            receipts[int(parts[0])] = parts[1].decode()
    assert len(receipts) >= 400

    with AuditLog(path, ORIGIN, [log_signer]) as log:
        assert log.size >= max(receipts) + 1
        for index, digest in receipts.items():
            assert log.leaf_hash(index).hex() == digest
        for index in list(receipts)[:20]:
            assert len(log.subject_openings(index)) == 1
        log.append(make_record(0))
        summary = log.export(tmp_path / "after-crash.jsonl")
    result = verify_export(summary.path, [log_signer.verifier()])
    assert result.ok, result.summary()
    assert result.entries == summary.size

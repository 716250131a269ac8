"""Durability: a writer killed with SIGKILL loses no receipted entry."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from audit import AuditLog, Signer, verify_export

from .conftest import ORIGIN, REPO, make_record

WRITER = textwrap.dedent(
    """
    import sys, threading
    from audit import AuditLog, Signer
    from tests.audit.conftest import ORIGIN, make_record

    log = AuditLog(sys.argv[1], ORIGIN, [Signer.from_string(sys.argv[2])])
    out_lock = threading.Lock()

    def work(t):
        i = 0
        while True:
            r = log.append(make_record(t * 100000 + i), ["CC-%d-%d" % (t, i)])
            with out_lock:
                sys.stdout.write("%d %s\\n" % (r.index, r.leaf_hash))
                sys.stdout.flush()
            i += 1

    for t in range(4):
        threading.Thread(target=work, args=(t,), daemon=True).start()
    threading.Event().wait()
    """
)


def test_sigkill_loses_no_receipted_entry(tmp_path: Path, log_signer: Signer) -> None:
    path = tmp_path / "audit.db"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), log_signer.to_string()],
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

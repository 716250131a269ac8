"""AuditLog behaviour: receipts, proofs, checkpoints, subjects, redaction, fail-closed."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from audit import (
    AccessLeaf,
    AuditLog,
    AuditUnavailable,
    CorruptLog,
    RedactionLeaf,
    Result,
    Signer,
    open_checkpoint,
    verify_consistency,
    verify_inclusion,
    verify_tlog_proof,
)
from audit.merkle import leaf_hash

from .conftest import ORIGIN, make_record


def test_append_receipts_and_proofs(
    audit_log: AuditLog, log_signer: Signer, office_signer: Signer
) -> None:
    receipts = [audit_log.append(make_record(i), [f"CC-{i % 5}"]) for i in range(40)]
    assert [r.index for r in receipts] == list(range(40))
    first = audit_log.checkpoint_now()
    more = [audit_log.append(make_record(i)) for i in range(40, 57)]
    second = audit_log.wait_for_checkpoint(more[-1].index, timeout=2)
    verifiers = [log_signer.verifier(), office_signer.verifier()]
    for signed in (first, second):
        open_checkpoint(signed.note, verifiers, ORIGIN, required=[office_signer.name])
    for r in receipts + more:
        entry = audit_log.entry(r.index)
        assert entry.leaf_hash == r.leaf_hash == leaf_hash(entry.raw).hex()
        proof = audit_log.inclusion_proof(r.index, second.size)
        verify_inclusion(bytes.fromhex(r.leaf_hash), r.index, second.size, proof, second.root)
    proof = audit_log.consistency_proof(first.size, second.size)
    verify_consistency(first.size, second.size, proof, first.root, second.root)
    tlog = audit_log.tlog_proof(3)
    assert verify_tlog_proof(tlog, bytes.fromhex(receipts[3].leaf_hash), verifiers).size >= 4


def test_concurrent_appends_group_commit(audit_log: AuditLog) -> None:
    results: list[int] = []
    lock = threading.Lock()

    def work(t: int) -> None:
        for i in range(60):
            r = audit_log.append(make_record(t * 1000 + i), [f"CC-{t}-{i}"])
            with lock:
                results.append(r.index)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == list(range(12 * 60))
    pending = [audit_log.submit(make_record(i)) for i in range(200)]
    assert [p.result(timeout=5).index for p in pending] == list(range(720, 920))
    assert audit_log.size == 920


def test_checkpoint_covers_append_within_a_second(audit_log: AuditLog) -> None:
    for i in range(5):
        start = time.monotonic()
        r = audit_log.append(make_record(i))
        signed = audit_log.wait_for_checkpoint(r.index, timeout=1.0)
        assert signed.size > r.index
        assert time.monotonic() - start < 1.0
    assert audit_log.latest_checkpoint() is not None
    assert audit_log.checkpoints()[-1].size == audit_log.size


def test_entries_filters(audit_log: AuditLog) -> None:
    audit_log.append(make_record(1, agency="DIAN"))
    audit_log.append(make_record(2, result=Result("refused", 0)))
    audit_log.append(make_record(3, result=Result("error", 0, "TimeoutError")))
    audit_log.append(make_record(4, agency="DIAN", time="2030-01-01T00:00:00Z"))
    assert [e.index for e in audit_log.entries(agency="DIAN")] == [0, 3]
    assert [e.index for e in audit_log.entries(outcome="refused")] == [1]
    assert [e.index for e in audit_log.entries(after=0, limit=2)] == [1, 2]
    assert [e.index for e in audit_log.entries(since="2029-01-01T00:00:00Z")] == [3]
    assert [e.index for e in audit_log.entries(principal="user:3")] == [2]
    assert audit_log.entries(kind="redaction") == []


def _all_bytes(*paths: Path) -> bytes:
    out = b""
    for p in paths:
        for candidate in (p, Path(str(p) + "-wal"), Path(str(p) + "-shm")):
            if candidate.exists():
                out += candidate.read_bytes()
    return out


def test_subject_plaintext_only_in_vault_and_gone_after_redact(
    audit_log: AuditLog, tmp_path: Path, log_signer: Signer
) -> None:
    secret = "CC-REDACT-ME-7777"
    kept = "CC-KEEP-ME-8888"
    audit_log.append(make_record(0), [kept])
    target = audit_log.append(make_record(1), [secret, kept])
    audit_log.append(make_record(2), [kept])
    before = audit_log.checkpoint_now()
    proof_before = audit_log.inclusion_proof(target.index, before.size)

    assert [e.index for e in audit_log.accesses_to(secret)] == [1]
    assert [e.index for e in audit_log.accesses_to(kept)] == [0, 1, 2]
    audit_log.export(tmp_path / "before.jsonl")
    log_bytes = _all_bytes(audit_log.path) + (tmp_path / "before.jsonl").read_bytes()
    for key in (secret, kept):
        assert key.encode() not in log_bytes
    assert secret.encode() in _all_bytes(audit_log.secrets_path)

    receipt = audit_log.redact(target.index, "Ley 1581/2012 art. 15 (supresión)")
    redaction = audit_log.entry(receipt.index).leaf
    assert isinstance(redaction, RedactionLeaf) and redaction.index == target.index
    assert secret.encode() not in _all_bytes(audit_log.secrets_path)
    assert kept.encode() in _all_bytes(audit_log.secrets_path)
    assert audit_log.accesses_to(secret) == []
    assert [e.index for e in audit_log.accesses_to(kept)] == [0, 2]
    with pytest.raises(ValueError, match="already redacted"):
        audit_log.redact(target.index, "again")

    # Every earlier proof and commitment still verifies against old and new roots.
    verify_inclusion(
        bytes.fromhex(target.leaf_hash), target.index, before.size, proof_before, before.root
    )
    after = audit_log.checkpoint_now()
    verify_consistency(
        before.size,
        after.size,
        audit_log.consistency_proof(before.size, after.size),
        before.root,
        after.root,
    )
    leaf = audit_log.entry(target.index).leaf
    assert isinstance(leaf, AccessLeaf) and len(leaf.subjects) == 2


def test_reopen_resumes_and_detects_tampering(tmp_path: Path, log_signer: Signer) -> None:
    path = tmp_path / "audit.db"
    with AuditLog(path, ORIGIN, [log_signer]) as log:
        for i in range(25):
            log.append(make_record(i), [f"CC-{i}"])
        root = log.root()
    with AuditLog(path, ORIGIN, [log_signer]) as log:
        assert log.size == 25 and log.root() == root
        assert log.append(make_record(99)).index == 25
        assert [e.index for e in log.accesses_to("CC-3")] == [3]
    with pytest.raises(Exception, match="origin"):
        AuditLog(path, "other.origin/log", [log_signer])
    conn = sqlite3.connect(path)
    conn.execute("UPDATE leaves SET hash=? WHERE idx=4", (bytes(32),))
    conn.commit()
    conn.close()
    with pytest.raises(CorruptLog):
        AuditLog(path, ORIGIN, [log_signer])


def test_unwritable_log_fails_closed(tmp_path: Path, log_signer: Signer) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where a directory should be")
    with pytest.raises(AuditUnavailable):
        AuditLog(blocker / "audit.db", ORIGIN, [log_signer])

    path = tmp_path / "audit.db"
    log = AuditLog(path, ORIGIN, [log_signer], busy_timeout=0.2)
    log.append(make_record(0))
    # Another process takes the write lock and never lets go: writes cannot happen.
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(AuditUnavailable):
            log.append(make_record(1))
        with pytest.raises(AuditUnavailable):  # sticky: fail closed until reopened
            log.append(make_record(2))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    log.close()
    with pytest.raises(AuditUnavailable, match="closed"):
        log.append(make_record(3))
    with AuditLog(path, ORIGIN, [log_signer]) as reopened:
        assert reopened.size == 1
        assert reopened.append(make_record(4)).index == 1


def test_read_only_database_fails_closed(tmp_path: Path, log_signer: Signer) -> None:
    path = tmp_path / "audit.db"
    with AuditLog(path, ORIGIN, [log_signer]) as log:
        log.append(make_record(0))
    log = AuditLog(path, ORIGIN, [log_signer])
    # Swap the writer connection for a read-only one, as if the volume were remounted ro.
    log._conn.close()  # simulate an OS-level failure
    log._conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    with pytest.raises(AuditUnavailable, match=r"readonly|read-only|attempt to write"):
        log.append(make_record(1))
    log.close()

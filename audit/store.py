"""AuditLog: the durable, tamper-evident access log behind the hub.

Design, in short:

* Leaves (canonical JSON) and their hashes are stored in a SQLite file in WAL mode with
  ``synchronous=FULL``; a receipt is only returned after the commit that holds the entry.
* Appends use group commit.  Callers prepare everything about their entry in their own
  thread (leaf bytes and hash, commitments, index tags; random values come from a shared
  pool of CSPRNG output), then queue it.  Two writer threads form a pipeline: the first
  assigns indexes and commits the group's subject openings to the vault, the second
  commits the group's leaves to the log.  Each writes its group with *one* multi-row
  INSERT, which in autocommit mode is a whole transaction (one fsync of that file's WAL,
  ``synchronous=FULL``); each fsync is shared by every entry queued meanwhile, and the
  two files' fsyncs overlap.  Openings are committed *before* leaves, so a crash can only
  leave orphan openings (removed on reopen), never an entry whose subjects are unknown.
  Then the tree is extended and the whole group is released at once (:class:`_Group`).
* A checkpointer thread signs a C2SP checkpoint whenever the tree grew, every
  ``checkpoint_interval`` seconds, so each entry is covered by a signed root within ~0.3 s.
* Any storage failure is sticky: the log refuses further appends with
  :class:`AuditUnavailable` until it is reopened (which re-validates everything).
"""

from __future__ import annotations

import hashlib
import os
import queue
import sqlite3
import ssl
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from audit.checkpoint import Checkpoint, SignedCheckpoint, sign_checkpoint
from audit.db import (
    connect_durable,
    connect_reader,
    insert_flat,
    rollback_if_open,
    statements_needed,
    transaction,
)
from audit.errors import AuditError, AuditUnavailable, CorruptLog
from audit.export import ExportSummary, write_export
from audit.leaf import (
    AccessLeaf,
    AccessRecord,
    Leaf,
    RedactionLeaf,
    commitment_prefix,
    decode_leaf,
    encode_access,
    encode_leaf,
    subject_commitment,
    subject_key_bytes,
)
from audit.merkle import leaf_hash
from audit.note import Signer
from audit.subjects import SubjectVault
from audit.tlogproof import make_tlog_proof
from audit.tree import MerkleTree

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS leaves (
    idx INTEGER PRIMARY KEY,
    hash BLOB NOT NULL,
    leaf TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS checkpoints (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    size INTEGER NOT NULL,
    note TEXT NOT NULL,
    created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX IF NOT EXISTS checkpoints_size ON checkpoints(size);
CREATE TABLE IF NOT EXISTS redactions (
    target INTEGER PRIMARY KEY,
    redaction_idx INTEGER NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class Receipt:
    """Proof of acceptance: the entry's index and leaf hash (hex), returned once durable."""

    index: int
    leaf_hash: str


@dataclass(frozen=True, slots=True)
class Entry:
    """One stored log entry."""

    index: int
    leaf_hash: str
    leaf: Leaf
    raw: bytes


class _Group:
    """Entries committed together, released all at once by one :meth:`set`.

    A Future per entry cost more CPU than the rest of an append.  A shared Event is
    cheaper but each woken caller then re-takes the Event's lock, so a large group's
    callers wake up one after another, each handing the GIL on.  Here every waiting
    caller parks on a lock of its own, which :meth:`set` releases, and simply returns.
    """

    __slots__ = ("_done", "_mutex", "_waiters")

    def __init__(self) -> None:
        self._done = False
        self._mutex = threading.Lock()
        self._waiters: list[threading.Lock] = []

    def is_set(self) -> bool:
        return self._done

    def wait(self, timeout: float | None = None) -> bool:
        if self._done:
            return True
        parked = threading.Lock()
        parked.acquire()
        with self._mutex:
            if self._done:
                return True
            self._waiters.append(parked)
        if timeout is None:
            parked.acquire()
        elif not parked.acquire(timeout=max(0.0, timeout)):
            return self._done
        return True

    def set(self) -> None:
        with self._mutex:
            self._done = True
            waiters, self._waiters = self._waiters, []
        for parked in waiters:
            parked.release()


@dataclass(slots=True)
class _Item:
    text: str  # the leaf (canonical JSON) as stored
    leaf_hash: bytes
    openings: Sequence[tuple[bytes, bytes, bytes]]  # (nonce, subject key, index tag)
    redacts: int | None
    group: _Group | None = None
    index: int = -1
    error: AuditUnavailable | None = None


class PendingReceipt:
    """Handle returned by :meth:`AuditLog.submit`; ``result()`` blocks until durable."""

    __slots__ = ("_item",)

    def __init__(self, item: _Item) -> None:
        self._item = item

    def done(self) -> bool:
        """True once the entry is committed (or failed)."""
        group = self._item.group
        return group is not None and group.is_set()

    def result(self, timeout: float | None = None) -> Receipt:
        """The receipt; raises AuditUnavailable if the entry could not be stored."""
        item = self._item
        assert item.group is not None
        if not item.group.wait(timeout):
            raise TimeoutError("audit append not committed yet")
        if item.error is not None:
            raise item.error
        return Receipt(item.index, item.leaf_hash.hex())


class _RandomPool:
    """32-byte random values cut from larger draws of OpenSSL's CSPRNG.

    ``ssl.RAND_bytes`` keeps the GIL (``os.urandom``'s syscall drops it, and re-taking it
    under load cost more than the rest of an append), but each call still costs about as
    much as hashing the whole leaf; one call per 256 values makes it negligible.  Every
    byte is handed out once; a forked child starts with an empty pool.
    """

    _DRAW = 32 * 256

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buf = b""
        self._pos = 0

    def take(self, size: int) -> bytes:
        with self._lock:
            pos = self._pos
            if pos + size > len(self._buf):
                self._buf = ssl.RAND_bytes(max(size, self._DRAW))
                pos = 0
            self._pos = pos + size
            return self._buf[pos : pos + size]

    def reset(self) -> None:
        self._lock = threading.Lock()
        self._buf = b""
        self._pos = 0


_RANDOM = _RandomPool()
os.register_at_fork(after_in_child=_RANDOM.reset)
_COMMITMENT_PREFIX = commitment_prefix()


def default_secrets_path(path: Path) -> Path:
    """Vault file next to the log: ``audit.db`` -> ``audit.secrets.db``."""
    return path.with_name(path.stem + ".secrets" + (path.suffix or ".db"))


class AuditLog:
    """Append-only, signed, redactable access log (see module docstring)."""

    def __init__(
        self,
        path: str | Path,
        origin: str,
        signers: Sequence[Signer],
        *,
        secrets_path: str | Path | None = None,
        index_key: bytes | None = None,
        checkpoint_interval: float = 0.25,
        busy_timeout: float = 5.0,
    ) -> None:
        if not signers:
            raise ValueError("at least one checkpoint signer is required")
        self.path = Path(path)
        self.secrets_path = (
            Path(secrets_path) if secrets_path is not None else default_secrets_path(self.path)
        )
        self.origin = origin
        self._signers = tuple(signers)
        self._interval = checkpoint_interval
        self._busy_timeout = busy_timeout
        self._lock = threading.Lock()  # queue, failure state, index assignment
        self._work = threading.Condition(self._lock)
        self._log_lock = threading.Lock()  # the log write connection
        self._tree_lock = threading.Lock()
        self._ckpt_lock = threading.Lock()  # serialises signing
        self._ckpt_cv = threading.Condition()
        self._redact_lock = threading.Lock()
        self._queue: list[_Item] = []
        self._group: _Group | None = None
        self._stage2: queue.SimpleQueue[tuple[list[_Item], _Group] | None] = queue.SimpleQueue()
        self._failure: str | None = None
        self._closed = False
        self._latest: SignedCheckpoint | None = None
        self._tree = MerkleTree()
        Checkpoint(origin, 0, bytes(32))  # validates the origin early
        try:
            self._conn = connect_durable(self.path, busy_timeout)
        except (sqlite3.Error, OSError) as exc:
            raise AuditUnavailable(f"cannot open audit log {self.path}: {exc}") from exc
        try:
            self._vault = SubjectVault(self.secrets_path, index_key, busy_timeout)
        except (sqlite3.Error, OSError) as exc:
            self._conn.close()
            raise AuditUnavailable(f"cannot open subject vault {self.secrets_path}: {exc}") from exc
        try:
            self._recover()
        except BaseException as exc:
            self._conn.close()
            self._vault.close()
            if isinstance(exc, sqlite3.Error):
                raise AuditUnavailable(f"cannot read audit log {self.path}: {exc}") from exc
            raise
        self._next_index = self._tree.size
        self._threads = [
            threading.Thread(target=self._stage1_loop, name="audit-vault-writer", daemon=True),
            threading.Thread(target=self._stage2_loop, name="audit-log-writer", daemon=True),
            threading.Thread(target=self._checkpoint_loop, name="audit-checkpointer", daemon=True),
        ]
        self._stop = threading.Event()
        for t in self._threads:
            t.start()

    # ------------------------------------------------------------------ opening

    def _recover(self) -> None:
        """Create or reload the log; rebuild the tree and check it against the checkpoint."""
        conn = self._conn
        conn.executescript(_SCHEMA)
        row = conn.execute("SELECT value FROM meta WHERE key='origin'").fetchone()
        if row is None:
            with transaction(conn):
                conn.execute("INSERT INTO meta VALUES ('origin', ?)", (self.origin,))
                conn.execute("INSERT INTO meta VALUES ('format', 'credit-hub/audit-log@v1')")
        elif row[0] != self.origin:
            raise AuditError(f"log {self.path} has origin {row[0]!r}, not {self.origin!r}")
        hashes = b"".join(r[0] for r in conn.execute("SELECT hash FROM leaves ORDER BY idx"))
        count = conn.execute("SELECT count(*), coalesce(max(idx), -1) FROM leaves").fetchone()
        if count[0] != count[1] + 1:
            raise CorruptLog("leaf indexes are not contiguous")
        self._tree.extend_packed(hashes)
        row = conn.execute("SELECT note FROM checkpoints ORDER BY id DESC LIMIT 1").fetchone()
        if row is not None:
            note = str(row[0])
            text = note[: note.rfind("\n\n") + 1]
            cp = Checkpoint.parse(text)
            if cp.size > self._tree.size:
                raise CorruptLog(f"checkpoint covers {cp.size} entries, log has {self._tree.size}")
            if self._tree.root(cp.size) != cp.root:
                raise CorruptLog(f"stored leaves do not match the checkpoint at size {cp.size}")
            self._latest = SignedCheckpoint(cp, note)
        self._vault.drop_from(self._tree.size)
        for (target,) in conn.execute("SELECT target FROM redactions").fetchall():
            self._vault.erase(int(target))  # finish redactions interrupted by a crash

    # ------------------------------------------------------------------ appending

    def submit(
        self, record: AccessRecord, subject_keys: Iterable[str | bytes] = ()
    ) -> PendingReceipt:
        """Queue an access record; ``.result()`` returns its Receipt once it is durable.

        Lets one thread keep many appends in flight (e.g. an asyncio server handing
        ``result`` to a thread pool); :meth:`append` is ``submit(...).result()``.
        """
        if not isinstance(record, AccessRecord):
            raise TypeError("record must be an AccessRecord")
        keys = list(dict.fromkeys(map(subject_key_bytes, subject_keys)))
        if keys:
            randomness = _RANDOM.take(32 * len(keys))
            nonces = [randomness[i : i + 32] for i in range(0, len(randomness), 32)]
            sha = hashlib.sha256
            commitments = [
                sha(_COMMITMENT_PREFIX + n + k).hexdigest()
                for n, k in zip(nonces, keys, strict=True)
            ]
            text = encode_access(record, commitments)
            tag = self._vault.tag
            item = _Item(
                text.decode("utf-8"),
                leaf_hash(text),
                list(zip(nonces, keys, [tag(k) for k in keys], strict=True)),
                None,
            )
        else:
            text = encode_access(record, ())
            item = _Item(text.decode("utf-8"), leaf_hash(text), (), None)
        self._enqueue(item)
        return PendingReceipt(item)

    def append(self, record: AccessRecord, subject_keys: Iterable[str | bytes] = ()) -> Receipt:
        """Durably append an access record; raises AuditUnavailable if it cannot be stored."""
        return self.submit(record, subject_keys).result()

    def _enqueue(self, item: _Item) -> None:
        with self._lock:
            if self._closed:
                raise AuditUnavailable("audit log is closed")
            if self._failure is not None:
                raise AuditUnavailable(f"audit log unavailable: {self._failure}")
            if self._group is None:
                self._group = _Group()
            item.group = self._group
            self._queue.append(item)
            if len(self._queue) == 1:
                self._work.notify()

    def _fail(self, exc: BaseException, items: Iterable[_Item]) -> None:
        """Enter the sticky failed state and fail every in-flight append."""
        with self._lock:
            if self._failure is None:
                self._failure = f"{type(exc).__name__}: {exc}"
            pending, self._queue = self._queue, []
            self._group = None
            message = self._failure
        error = AuditUnavailable(f"audit log unavailable: {message}")
        groups: dict[int, _Group] = {}
        for item in [*items, *pending]:
            item.error = error
            if item.group is not None:
                groups[id(item.group)] = item.group
        for group in groups.values():
            group.set()

    def _stage1_loop(self) -> None:
        """Assign indexes and commit subject openings, batch by batch."""
        while True:
            with self._lock:
                while not self._queue and not self._closed:
                    self._work.wait()
                if not self._queue:
                    break
                batch, self._queue = self._queue, []
                group, self._group = self._group, None
                start = self._next_index
                self._next_index += len(batch)
                failed = self._failure is not None
            assert group is not None
            if failed:
                self._fail(AuditUnavailable("earlier failure"), batch)
                continue
            openings: list[object] = []  # flat (idx, pos, nonce, key, tag) values
            idx = start
            for item in batch:
                item.index = idx
                if item.openings:
                    for pos, (nonce, key, tag) in enumerate(item.openings):
                        openings += (idx, pos, nonce, key, tag)
                idx += 1
            try:
                if openings:
                    self._vault.write_rows(openings)
            except BaseException as exc:
                self._fail(exc, batch)
                continue
            self._stage2.put((batch, group))
        self._stage2.put(None)

    def _stage2_loop(self) -> None:
        """Commit leaves to the log, extend the tree, then release the waiting callers."""
        running = True
        while running:
            first = self._stage2.get()
            if first is None:
                break
            work = [first]
            while not self._stage2.empty():  # merge batches that queued up meanwhile
                more = self._stage2.get()
                if more is None:
                    running = False
                    break
                work.append(more)
            items = [it for batch, _ in work for it in batch]
            if self._failure is not None:
                self._fail(AuditUnavailable("earlier failure"), items)
                continue
            rows: list[object] = []  # flat (idx, hash, leaf) values
            redactions: list[object] = []
            for it in items:
                rows += (it.index, it.leaf_hash, it.text)
                if it.redacts is not None:
                    redactions += (it.redacts, it.index)
            conn = self._conn
            try:
                with self._log_lock:
                    try:
                        if redactions or statements_needed(conn, 3, len(items)) > 1:
                            with transaction(conn):
                                insert_flat(conn, "leaves", 3, rows)
                                if redactions:
                                    insert_flat(conn, "redactions", 2, redactions)
                        else:  # one statement: its own durable transaction
                            insert_flat(conn, "leaves", 3, rows)
                    except BaseException:
                        rollback_if_open(conn)
                        raise
            except BaseException as exc:
                self._fail(exc, items)
                continue
            with self._tree_lock:
                self._tree.extend_packed(b"".join([it.leaf_hash for it in items]))
            for _, group in work:
                group.set()

    # ------------------------------------------------------------------ checkpoints

    def _checkpoint_loop(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self._sign_if_grown(force=False)
            except BaseException as exc:
                self._fail(exc, ())

    def _sign_if_grown(self, force: bool) -> SignedCheckpoint | None:
        with self._ckpt_lock:
            with self._tree_lock:
                size = self._tree.size
                root = self._tree.root()
            latest = self._latest
            if latest is not None and latest.size == size:
                return latest
            if latest is None and size == 0 and not force:
                return None
            signed = sign_checkpoint(Checkpoint(self.origin, size, root), self._signers)
            with self._log_lock:
                try:
                    self._conn.execute(
                        "INSERT INTO checkpoints(size, note) VALUES (?, ?)", (size, signed.note)
                    )
                except BaseException:
                    rollback_if_open(self._conn)
                    raise
            with self._ckpt_cv:
                self._latest = signed
                self._ckpt_cv.notify_all()
            return signed

    def checkpoint_now(self) -> SignedCheckpoint:
        """Sign (if needed) and return a checkpoint covering every acknowledged entry."""
        self._check_open()
        try:
            signed = self._sign_if_grown(force=True)
        except sqlite3.Error as exc:
            self._fail(exc, ())
            raise AuditUnavailable(f"cannot store checkpoint: {exc}") from exc
        assert signed is not None
        return signed

    def latest_checkpoint(self) -> SignedCheckpoint | None:
        """Most recent signed checkpoint (None before the first one)."""
        return self._latest

    def wait_for_checkpoint(self, index: int, timeout: float | None = None) -> SignedCheckpoint:
        """Block until a signed checkpoint covers entry ``index``; TimeoutError otherwise."""
        with self._ckpt_cv:
            ok = self._ckpt_cv.wait_for(
                lambda: self._latest is not None and self._latest.size > index, timeout
            )
            if not ok or self._latest is None:
                raise TimeoutError(f"no checkpoint covers entry {index} yet")
            return self._latest

    def checkpoints(self, since_size: int = 0) -> list[SignedCheckpoint]:
        """Stored signed checkpoints with size >= ``since_size``, oldest first."""
        with self._reader() as conn:
            rows = conn.execute(
                "SELECT note FROM checkpoints WHERE size >= ? ORDER BY id", (since_size,)
            ).fetchall()
        out = []
        for (note,) in rows:
            text = note[: note.rfind("\n\n") + 1]
            out.append(SignedCheckpoint(Checkpoint.parse(text), note))
        return out

    # ------------------------------------------------------------------ proofs

    @property
    def size(self) -> int:
        """Number of durable entries."""
        with self._tree_lock:
            return self._tree.size

    def root(self, size: int | None = None) -> bytes:
        """Merkle root at ``size`` (default: current)."""
        with self._tree_lock:
            return self._tree.root(size)

    def inclusion_proof(self, index: int, tree_size: int) -> list[bytes]:
        """RFC 9162 inclusion proof of entry ``index`` in the tree of ``tree_size`` entries."""
        with self._tree_lock:
            return self._tree.inclusion_proof(index, tree_size)

    def consistency_proof(self, size1: int, size2: int) -> list[bytes]:
        """RFC 9162 consistency proof between two tree sizes."""
        with self._tree_lock:
            return self._tree.consistency_proof(size1, size2)

    def leaf_hash(self, index: int) -> bytes:
        """Stored leaf hash of entry ``index``."""
        with self._tree_lock:
            return self._tree.leaf_hash(index)

    def tlog_proof(self, index: int, extra: bytes | None = None) -> str:
        """A C2SP tlog-proof for entry ``index`` under the latest (covering) checkpoint."""
        latest = self._latest
        if latest is None or latest.size <= index:
            latest = self.checkpoint_now()
        if index >= latest.size or index < 0:
            raise IndexError(f"no entry {index}")
        return make_tlog_proof(index, self.inclusion_proof(index, latest.size), latest, extra)

    # ------------------------------------------------------------------ reading

    @contextmanager
    def _reader(self) -> Iterator[sqlite3.Connection]:
        try:
            conn = connect_reader(self.path, self._busy_timeout)
        except sqlite3.Error as exc:
            raise AuditUnavailable(f"cannot read audit log: {exc}") from exc
        try:
            yield conn
        finally:
            conn.close()

    def entry(self, index: int) -> Entry:
        """One entry by index (IndexError if absent)."""
        with self._reader() as conn:
            row = conn.execute(
                "SELECT idx, hash, leaf FROM leaves WHERE idx=?", (index,)
            ).fetchone()
        if row is None:
            raise IndexError(f"no entry {index}")
        return _entry(row)

    def entries(
        self,
        after: int | None = None,
        limit: int = 100,
        *,
        kind: str | None = None,
        principal: str | None = None,
        agency: str | None = None,
        role: str | None = None,
        purpose: str | None = None,
        operation: str | None = None,
        outcome: str | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> list[Entry]:
        """Entries with index > ``after`` matching all given filters, in index order.

        ``since``/``until`` compare RFC 3339 UTC strings (inclusive / exclusive).
        """
        where = ["idx > ?"]
        args: list[object] = [-1 if after is None else after]
        fields = {
            "kind": kind,
            "principal": principal,
            "agency": agency,
            "role": role,
            "purpose": purpose,
            "operation": operation,
            "result.outcome": outcome,
        }
        for path, value in fields.items():
            if value is not None:
                where.append(f"json_extract(leaf, '$.{path}') = ?")
                args.append(value)
        if since is not None:
            where.append("json_extract(leaf, '$.time') >= ?")
            args.append(since)
        if until is not None:
            where.append("json_extract(leaf, '$.time') < ?")
            args.append(until)
        args.append(max(0, limit))
        sql = f"SELECT idx, hash, leaf FROM leaves WHERE {' AND '.join(where)} ORDER BY idx LIMIT ?"
        with self._reader() as conn:
            rows = conn.execute(sql, args).fetchall()
        return [_entry(r) for r in rows]

    def accesses_to(self, subject_key: str | bytes) -> list[Entry]:
        """Entries whose subjects include ``subject_key`` (redacted ones are gone)."""
        key = subject_key_bytes(subject_key)
        out = []
        for idx in self._vault.indexes_for(key):
            entry = self.entry(idx)
            assert isinstance(entry.leaf, AccessLeaf)
            commitments = set(entry.leaf.subjects)
            if any(
                k == key and subject_commitment(n, k) in commitments
                for _, n, k in self._vault.openings(idx)
            ):
                out.append(entry)
        return out

    def subject_openings(self, index: int) -> list[tuple[bytes, bytes]]:
        """(random value, subject key) pairs opening entry ``index``'s commitments."""
        return [(n, k) for _, n, k in self._vault.openings(index)]

    # ------------------------------------------------------------------ redaction

    def redact(self, index: int, basis: str, principal: str = "audit") -> Receipt:
        """Erase entry ``index``'s subject openings and log a redaction leaf saying why."""
        with self._redact_lock:
            target = self.entry(index)
            if not isinstance(target.leaf, AccessLeaf):
                raise ValueError(f"entry {index} is not an access entry")
            with self._reader() as conn:
                if conn.execute("SELECT 1 FROM redactions WHERE target=?", (index,)).fetchone():
                    raise ValueError(f"entry {index} is already redacted")
            data = encode_leaf(RedactionLeaf(index, basis, principal))
            item = _Item(data.decode("utf-8"), leaf_hash(data), (), index)
            self._enqueue(item)
            receipt = PendingReceipt(item).result()
            try:
                self._vault.erase(index)
            except sqlite3.Error as exc:
                # The redaction leaf is durable; reopening the log finishes the erasure.
                self._fail(exc, ())
                raise AuditUnavailable(f"redaction logged but erasure failed: {exc}") from exc
            return receipt

    # ------------------------------------------------------------------ export

    def export(self, path: str | Path, max_checkpoints: int = 1000) -> ExportSummary:
        """Write a self-contained export (JSON Lines) covered by a fresh checkpoint."""
        self.checkpoint_now()
        with self._reader() as conn:
            return write_export(conn, Path(path), max_checkpoints)

    # ------------------------------------------------------------------ lifecycle

    def _check_open(self) -> None:
        if self._closed:
            raise AuditUnavailable("audit log is closed")

    def close(self) -> None:
        """Finish queued appends, sign a final checkpoint and close both files."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._work.notify_all()
        self._threads[0].join()
        self._threads[1].join()
        self._stop.set()
        self._threads[2].join()
        if self._failure is None:
            with suppress(sqlite3.Error):
                self._sign_if_grown(force=False)
        with self._log_lock:
            self._conn.close()
        self._vault.close()

    def __enter__(self) -> AuditLog:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _entry(row: tuple[int, bytes, str]) -> Entry:
    raw = row[2].encode("utf-8")
    return Entry(int(row[0]), bytes(row[1]).hex(), decode_leaf(raw), raw)

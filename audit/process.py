"""LogProcess: an :class:`AuditLog` run in a child process (see :mod:`audit.serve`).

The child owns the log files and does every append's work; the caller only pickles the
record onto a private socket pair.  Appends from asyncio (:meth:`append_async`) need no
thread per request: the replies (a committed group per frame) are read by the event loop
itself, or by one thread that hands each loop its receipts in one call.  Every other
method has the signature of :class:`AuditLog`'s and blocks its caller (run it in a
thread from async code).  Sending never blocks: what the socket will not take yet waits
in memory and is retried, so a stalled child cannot freeze the caller's event loop.

Failing closed: an append not answered in time raises :class:`AuditUnavailable`; if the
child dies, stops reading or its log fails, every waiting and later append raises it,
and stays failed (as :class:`AuditLog` does) until the log is opened again.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import itertools
import os
import select
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from audit.checkpoint import SignedCheckpoint
from audit.errors import AuditError, AuditUnavailable
from audit.export import ExportSummary
from audit.leaf import AccessRecord
from audit.note import Signer
from audit.store import Entry, Receipt, default_secrets_path
from audit.wire import FrameReader, encode_record, frame

_RECV = 1 << 20
_SWEEP_S = 0.1  # how often overdue requests are failed and unsent bytes retried
MAX_UNSENT = 64 * 1024 * 1024  # bytes the child has not taken before it counts as failed
CALL_TIMEOUT_S = 120.0  # reads, proofs, checkpoints, export
_CLOSED = "audit log is closed"


class _Waiting:
    """A request sent and not yet answered: where its answer goes, and until when."""

    __slots__ = ("deadline", "future", "loop", "what")

    def __init__(
        self,
        what: str,
        deadline: float,
        future: asyncio.Future[Any] | concurrent.futures.Future[Any],
        loop: asyncio.AbstractEventLoop | None,
    ) -> None:
        self.what = what
        self.deadline = deadline
        self.future = future
        self.loop = loop


class LogProcess:
    """The parent's handle on the access-log process."""

    @classmethod
    def start(
        cls,
        path: str | Path,
        origin: str,
        signers: Sequence[Signer],
        *,
        secrets_path: str | Path | None = None,
        index_key: bytes | None = None,
        checkpoint_interval: float = 0.25,
        busy_timeout: float = 5.0,
        start_timeout: float = 300.0,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> LogProcess:
        """Start the child and open the log in it; raises what opening the log raised.

        With ``loop`` (call this on that loop's thread), the replies are read by the loop
        itself instead of a thread: a server's appends are settled where they wait, with
        no thread taking turns at the GIL with the loop (against a reader thread, this
        made no difference beyond this machine's noise; it has one thread fewer).
        """
        path = Path(path)
        config = {
            "path": str(path),
            "origin": origin,
            "signers": [s.to_string() for s in signers],
            "secrets_path": str(secrets_path or default_secrets_path(path)),
            "index_key": index_key,
            "checkpoint_interval": checkpoint_interval,
            "busy_timeout": busy_timeout,
        }
        ours, theirs = socket.socketpair()
        env = dict(os.environ)
        root = str(Path(__file__).resolve().parent.parent)  # where `audit` is importable
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "audit.serve", str(theirs.fileno())],
                pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # a Ctrl-C reaches the parent, which closes the log
                env=env,
            )
        finally:
            theirs.close()
        reader = FrameReader()
        try:
            ours.sendall(frame(config))
            replies = _receive(ours, reader, time.monotonic() + start_timeout)
        except BaseException:
            ours.close()
            _reap(process)
            raise
        if replies is None:
            ours.close()
            code = _reap(process)
            raise AuditUnavailable(f"the access log process ended at start (exit code {code})")
        _, ok, value = replies[0]
        if not ok:
            ours.close()
            _reap(process)
            raise value
        return cls(ours, process, reader, loop=loop)

    def __init__(
        self,
        sock: socket.socket,
        process: subprocess.Popen[bytes],
        reader: FrameReader,
        *,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        """Use :meth:`start`.  Replies are read by ``loop`` (on its thread) or a thread."""
        self.process = process
        self._sock = sock
        self._frames = reader
        self._send_lock = threading.Lock()  # the socket's sending side and the outbox
        self._outbox: list[bytes] = []
        self._unsent = bytearray()  # what the socket would not take yet
        self._turn_open = False  # an append went out at once this loop turn
        self._lock = threading.Lock()  # the waiting requests and the failure state
        self._ids = itertools.count(1)
        self._waiting: dict[int, _Waiting] = {}
        self._failure: str | None = None
        self._closed = False
        self._ended = threading.Event()  # set once the replies are no longer read
        self._loop = loop
        self._loop_thread = threading.get_ident()
        sock.setblocking(False)  # a full socket must not block the caller (or its loop)
        if loop is None:
            threading.Thread(
                target=self._read_replies, name="audit-log-replies", daemon=True
            ).start()
        else:
            loop.add_reader(sock.fileno(), self._on_readable)
            loop.call_later(_SWEEP_S, self._sweep_on_loop)

    # ------------------------------------------------------------------ appending

    async def append_async(
        self, record: AccessRecord, subject_keys: Iterable[str | bytes] = (), timeout: float = 5.0
    ) -> Receipt:
        """Durably append a record; AuditUnavailable if it failed or took over ``timeout``.

        The first append of a turn of the event loop is sent at once, so the log starts
        committing it while the loop works on; the others of that turn go out together
        when it ends.  The log's process then wakes up at most twice a turn: a send per
        append cost the server a tenth of its samples, and holding every append to the end of
        the turn cost a quarter of the throughput at concurrency 8 (measured).
        """
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Receipt] = loop.create_future()
        waiting = _Waiting("commit", time.monotonic() + timeout, future, loop)
        data = frame(
            self._register(waiting, "append", (encode_record(record), tuple(subject_keys)))
        )
        with self._send_lock:
            self._outbox.append(data)
            first = len(self._outbox) == 1
        if first:
            if self._turn_open:
                loop.call_soon(self._flush)
            else:
                self._turn_open = True
                self._flush()
                loop.call_soon(self._end_turn)
        return await future

    def _end_turn(self) -> None:
        self._turn_open = False
        self._flush()

    def append(
        self, record: AccessRecord, subject_keys: Iterable[str | bytes] = (), timeout: float = 5.0
    ) -> Receipt:
        """Durably append a record (blocking); AuditUnavailable if it cannot be stored."""
        result: Receipt = self._call(
            "append", (encode_record(record), tuple(subject_keys)), timeout=timeout
        )
        return result

    # ------------------------------------------------------------------ the log's calls

    @property
    def size(self) -> int:
        """Number of durable entries."""
        result: int = self._call("size")
        return result

    def entry(self, index: int) -> Entry:
        result: Entry = self._call("entry", (index,))
        return result

    def entries(
        self, after: int | None = None, limit: int = 100, **filters: str | None
    ) -> list[Entry]:
        result: list[Entry] = self._call("entries", (after, limit), filters)
        return result

    def accesses_to(self, subject_key: str | bytes) -> list[Entry]:
        result: list[Entry] = self._call("accesses_to", (subject_key,))
        return result

    def subject_openings(self, index: int) -> list[tuple[bytes, bytes]]:
        result: list[tuple[bytes, bytes]] = self._call("subject_openings", (index,))
        return result

    def checkpoint_now(self) -> SignedCheckpoint:
        result: SignedCheckpoint = self._call("checkpoint_now")
        return result

    def latest_checkpoint(self) -> SignedCheckpoint | None:
        result: SignedCheckpoint | None = self._call("latest_checkpoint")
        return result

    def checkpoints(self, since_size: int = 0) -> list[SignedCheckpoint]:
        result: list[SignedCheckpoint] = self._call("checkpoints", (since_size,))
        return result

    def wait_for_checkpoint(self, index: int, timeout: float | None = None) -> SignedCheckpoint:
        limit = CALL_TIMEOUT_S if timeout is None else timeout + CALL_TIMEOUT_S
        result: SignedCheckpoint = self._call(
            "wait_for_checkpoint", (index, timeout), timeout=limit
        )
        return result

    def root(self, size: int | None = None) -> bytes:
        result: bytes = self._call("root", (size,))
        return result

    def inclusion_proof(self, index: int, tree_size: int) -> list[bytes]:
        result: list[bytes] = self._call("inclusion_proof", (index, tree_size))
        return result

    def consistency_proof(self, size1: int, size2: int) -> list[bytes]:
        result: list[bytes] = self._call("consistency_proof", (size1, size2))
        return result

    def leaf_hash(self, index: int) -> bytes:
        result: bytes = self._call("leaf_hash", (index,))
        return result

    def tlog_proof(self, index: int, extra: bytes | None = None) -> str:
        result: str = self._call("tlog_proof", (index, extra))
        return result

    def redact(self, index: int, basis: str, principal: str = "audit") -> Receipt:
        result: Receipt = self._call("redact", (index, basis, principal))
        return result

    def export(self, path: str | Path, max_checkpoints: int = 1000) -> ExportSummary:
        result: ExportSummary = self._call("export", (str(path), max_checkpoints))
        return result

    def close(self) -> None:
        """Let the child finish queued appends, sign a final checkpoint and exit.

        If the loop that reads the replies has stopped, the socket is simply closed: the
        child takes that as "close" too, and this waits for it to exit.
        """
        with self._lock:
            if self._closed:
                return
            self._closed = True
        if self._failure is None and self._replies_readable():
            with contextlib.suppress(AuditError):  # it failed or died: nothing to finish
                self._call("close", timeout=CALL_TIMEOUT_S, last=True)
            self._ended.wait(timeout=5)
        self._fail(_CLOSED)
        loop = self._loop
        if loop is not None and not self._ended.is_set() and not loop.is_closed():
            if loop.is_running() and threading.get_ident() != self._loop_thread:
                loop.call_soon_threadsafe(self._stop_loop_reader)
                self._ended.wait(timeout=5)
            else:  # on the loop's own thread, or the loop has stopped
                self._stop_loop_reader()
        self._sock.close()
        _reap(self.process)

    # ------------------------------------------------------------------ plumbing

    def _call(
        self,
        method: str,
        args: tuple[Any, ...] = (),
        kwargs: dict[str, Any] | None = None,
        *,
        timeout: float = CALL_TIMEOUT_S,
        last: bool = False,
    ) -> Any:
        if not self._replies_readable():
            raise AuditUnavailable(
                "the log's replies are read by an event loop that is not running here: "
                "call blocking methods from another thread while it runs"
            )
        what = "commit" if method == "append" else "answer"
        waiting = _Waiting(what, time.monotonic() + timeout, concurrent.futures.Future(), None)
        self._send(self._register(waiting, method, args, kwargs or {}, last=last))
        return waiting.future.result()  # the reader settles it, in time or with an error

    def _register(
        self,
        waiting: _Waiting,
        method: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any] | None = None,
        *,
        last: bool = False,
    ) -> tuple[int, str, tuple[Any, ...], dict[str, Any] | None]:
        """Give a request its id and a place among the waiting; the request to send."""
        with self._lock:
            if self._failure is not None:
                raise AuditUnavailable(_unavailable(self._failure))
            request_id = next(self._ids)
            self._waiting[request_id] = waiting
            if last:  # nothing may be sent after "close"
                self._failure = _CLOSED
        return (request_id, method, args, kwargs)

    def _send(self, request: tuple[int, str, tuple[Any, ...], dict[str, Any] | None]) -> None:
        data = frame(request)
        with self._send_lock:
            self._outbox.append(data)
        self._flush()

    def _flush(self) -> None:
        """Send what is queued, as far as the socket takes it; the sweep retries the rest."""
        with self._send_lock:
            unsent = self._unsent
            if self._outbox:
                unsent += b"".join(self._outbox)
                self._outbox = []
            try:
                while unsent:
                    del unsent[: self._sock.send(unsent)]
            except BlockingIOError:  # the child is behind: keep the rest for later
                if len(unsent) <= MAX_UNSENT:
                    return
                reason = "the access log process has stopped reading its requests"
            except OSError as exc:
                reason = f"cannot reach the access log process: {exc}"
            else:
                return
        self._fail(reason)

    def _replies_readable(self) -> bool:
        """Whether a blocking call from this thread can get its answer."""
        loop = self._loop
        if loop is None:
            return True
        return loop.is_running() and threading.get_ident() != self._loop_thread

    def _take_replies(self) -> bool:
        """Read what the child sent and settle it; False once the connection is over."""
        try:
            data = self._sock.recv(_RECV)
            if data:
                self._settle(self._frames.feed(data))
                return True
        except BlockingIOError:  # woken with nothing to read after all
            return True
        except (OSError, ValueError) as exc:
            self._fail(f"cannot read from the access log process: {exc}")
            return False
        code = self.process.poll()
        self._fail(f"the access log process ended{'' if code is None else f' (exit code {code})'}")
        return False

    def _read_replies(self) -> None:
        """The reader thread (when no event loop reads the replies)."""
        poller = select.poll()
        poller.register(self._sock, select.POLLIN)
        next_sweep = time.monotonic() + _SWEEP_S
        while poller.poll(_SWEEP_S * 1000) == [] or self._take_replies():
            now = time.monotonic()
            if now >= next_sweep:
                self._sweep(now)
                next_sweep = now + _SWEEP_S
        self._ended.set()

    def _on_readable(self) -> None:
        if not self._take_replies():
            self._stop_loop_reader()

    def _stop_loop_reader(self) -> None:
        if not self._ended.is_set():
            assert self._loop is not None
            self._loop.remove_reader(self._sock.fileno())
            self._ended.set()

    def _sweep_on_loop(self) -> None:
        if not self._ended.is_set():
            assert self._loop is not None
            self._sweep(time.monotonic())
            self._loop.call_later(_SWEEP_S, self._sweep_on_loop)

    def _settle(self, frames: list[list[tuple[int, bool, Any]]]) -> None:
        answered = []
        with self._lock:
            for replies in frames:
                for request_id, ok, value in replies:
                    waiting = self._waiting.pop(request_id, None)
                    if waiting is not None:
                        if ok and waiting.what == "commit":
                            value = Receipt(*value)
                        answered.append((waiting, ok, value))
        _deliver(answered)

    def _sweep(self, now: float) -> None:
        self._flush()
        with self._lock:
            late = [i for i, w in self._waiting.items() if w.deadline <= now]
            overdue = [self._waiting.pop(i) for i in late]
        _deliver(
            [
                (w, False, AuditUnavailable(f"the access log did not {w.what} in time"))
                for w in overdue
            ]
        )

    def _fail(self, reason: str) -> None:
        """Enter the failed state (sticky) and fail every waiting request."""
        with self._lock:
            if self._failure is None:
                self._failure = reason
            waiting, self._waiting = self._waiting, {}
        message = _unavailable(reason)
        _deliver([(w, False, AuditUnavailable(message)) for w in waiting.values()])

    def __enter__(self) -> LogProcess:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _unavailable(reason: str) -> str:
    return reason if reason == _CLOSED else f"audit log unavailable: {reason}"


def _deliver(answered: list[tuple[_Waiting, bool, Any]]) -> None:
    """Settle threading futures, and the futures of the loop running this (if any), at
    once; each other loop's futures in one call of its own."""
    try:
        here: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
    except RuntimeError:
        here = None
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[Any, bool, Any]]] = {}
    for waiting, ok, value in answered:
        if waiting.loop is None or waiting.loop is here:
            _set(waiting.future, ok, value)
        else:
            by_loop.setdefault(waiting.loop, []).append((waiting.future, ok, value))
    for loop, items in by_loop.items():
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits there
            loop.call_soon_threadsafe(_set_all, items)


def _set_all(items: list[tuple[Any, bool, Any]]) -> None:
    for future, ok, value in items:
        _set(future, ok, value)


def _set(future: Any, ok: bool, value: Any) -> None:
    if future.done():
        return
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)


def _receive(sock: socket.socket, reader: FrameReader, deadline: float) -> list[Any] | None:
    """The first frame's replies (blocking until ``deadline``); None if the peer closed."""
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([sock], [], [], left)[0]:
            raise AuditUnavailable("the access log process did not open the log in time")
        data = sock.recv(_RECV)
        if not data:
            return None
        frames = reader.feed(data)
        if frames:
            replies: list[Any] = frames[0]
            return replies


def _reap(process: subprocess.Popen[bytes]) -> int:
    try:
        return process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()

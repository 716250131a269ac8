"""The access-log process: one :class:`AuditLog`, served to its parent over a socket pair.

Started by :class:`audit.process.LogProcess` as ``python -m audit.serve FD``.  Why a
process of its own: an append costs the caller's interpreter about as much as answering
the query it records (leaf encoding and hashing, subject commitments, and the writer
threads taking turns with the caller at the GIL), so in the hub's process the log cut
its throughput by 40%.  Here the log runs on its own interpreter and its own core.

Requests are ``(id, method, args, kwargs)``; replies are lists of ``(id, ok, value)``.
Appends are answered once durable, a committed group in one frame; other calls run in a
small thread pool so that a slow read never holds an append back.  The process ends when
the parent asks it to or its socket closes (the parent died): the log is closed cleanly
(queued appends finished, a final checkpoint signed) either way.
"""

from __future__ import annotations

import pickle
import queue
import signal
import socket
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from audit.errors import AuditError, AuditUnavailable
from audit.note import Signer
from audit.store import AuditLog, PendingReceipt
from audit.wire import FrameReader, decode_record, frame

Reply = tuple[int, bool, Any]

# What the parent may call besides "append" and "close": the log's reads, proofs,
# checkpoints, redaction and export.
CALLS = frozenset(
    {
        "accesses_to",
        "checkpoint_now",
        "checkpoints",
        "consistency_proof",
        "entries",
        "entry",
        "export",
        "inclusion_proof",
        "latest_checkpoint",
        "leaf_hash",
        "redact",
        "root",
        "size",
        "subject_openings",
        "tlog_proof",
        "wait_for_checkpoint",
    }
)
_RECV = 1 << 20


def portable(exc: BaseException) -> BaseException:
    """The exception itself if it survives pickling, else an AuditError saying what it was."""
    try:
        pickle.dumps(exc)
    except Exception:
        return AuditError(f"{type(exc).__name__}: {exc}")
    return exc


class _Receipts:
    """Answers appends once durable.  The log commits in submission order, so once the
    oldest pending append is done, every later one already done belongs in the same reply."""

    def __init__(self, send: Callable[[list[Reply]], None]) -> None:
        self._send = send
        self._jobs: queue.SimpleQueue[tuple[int, PendingReceipt] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="audit-receipts", daemon=True)
        self._thread.start()

    def put(self, request_id: int, pending: PendingReceipt) -> None:
        self._jobs.put((request_id, pending))

    def stop(self) -> None:
        """Send what is pending (the log must be closed first, so it all resolves)."""
        self._jobs.put(None)
        self._thread.join()

    def _run(self) -> None:
        pending: list[tuple[int, PendingReceipt]] = []
        stopping = False
        while not (stopping and not pending):
            if not pending:
                job = self._jobs.get()
                if job is None:
                    return
                pending.append(job)
            while not stopping:  # take whatever was queued meanwhile
                try:
                    job = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    stopping = True
                else:
                    pending.append(job)
            replies = [_outcome(*pending[0])]  # blocks until the oldest is durable (or failed)
            done = 1
            while done < len(pending) and pending[done][1].done():
                replies.append(_outcome(*pending[done]))
                done += 1
            del pending[:done]
            self._send(replies)


def _outcome(request_id: int, pending: PendingReceipt) -> Reply:
    try:
        receipt = pending.result()
        return (request_id, True, (receipt.index, receipt.leaf_hash))
    except AuditUnavailable as exc:
        return (request_id, False, exc)


def serve(sock: socket.socket, log: AuditLog, reader: FrameReader | None = None) -> None:
    """Answer the parent's requests until it closes the log or the socket."""
    reader = reader or FrameReader()
    send_lock = threading.Lock()

    def send(replies: list[Reply]) -> None:
        data = frame(replies)
        try:
            with send_lock:
                sock.sendall(data)
        except OSError:
            pass  # the parent is gone: it no longer waits for anything

    def call(request_id: int, method: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        try:
            attribute = getattr(log, method)
            value = attribute(*args, **kwargs) if callable(attribute) else attribute
        except BaseException as exc:
            send([(request_id, False, portable(exc))])
        else:
            send([(request_id, True, value)])

    receipts = _Receipts(send)
    calls = ThreadPoolExecutor(max_workers=4, thread_name_prefix="audit-calls")
    closing: int | None = None
    try:
        while closing is None:
            try:
                data = sock.recv(_RECV)
            except OSError:
                break
            if not data:
                break
            for request_id, method, args, kwargs in reader.feed(data):
                if method == "append":
                    try:
                        fields, keys = args
                        receipts.put(request_id, log.submit(decode_record(fields), keys))
                    except BaseException as exc:
                        send([(request_id, False, portable(exc))])
                elif method == "close":
                    closing = request_id
                    break
                elif method in CALLS:
                    calls.submit(call, request_id, method, args, kwargs)
                else:
                    send([(request_id, False, AuditError(f"no such call: {method!r}"))])
    finally:
        calls.shutdown(wait=True)
        log.close()  # finishes the queued appends, so every pending receipt resolves
        receipts.stop()
        if closing is not None:
            send([(closing, True, None)])
        sock.close()


def _open(config: dict[str, Any]) -> AuditLog:
    return AuditLog(
        Path(config["path"]),
        config["origin"],
        [Signer.from_string(s) for s in config["signers"]],
        secrets_path=config["secrets_path"],
        index_key=config["index_key"],
        checkpoint_interval=config["checkpoint_interval"],
        busy_timeout=config["busy_timeout"],
    )


def main(argv: list[str]) -> int:
    # Interrupts are the parent's business: it closes the log once its requests are done.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sock = socket.socket(fileno=int(argv[0]))
    reader = FrameReader()
    configs: list[Any] = []
    while not configs:
        data = sock.recv(_RECV)
        if not data:
            return 1
        configs = reader.feed(data)
    try:
        log = _open(configs[0])
    except BaseException as exc:
        sock.sendall(frame([(0, False, portable(exc))]))
        return 1
    sock.sendall(frame([(0, True, log.size)]))
    serve(sock, log, reader)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

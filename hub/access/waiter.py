"""Await audit receipts from asyncio without a thread per request.

``AuditLog.submit`` returns at once; durability comes later, from the log's group commit.
One thread waits on the pending receipts in submission order (the log commits in that
order, so after the first of a group returns the rest are ready) and hands each result to
its event loop. A thread-pool hop per request cost more and capped the concurrency.
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time

from audit import AuditUnavailable, Receipt
from audit.store import PendingReceipt

_Job = tuple[PendingReceipt, float, asyncio.AbstractEventLoop, "asyncio.Future[Receipt]"]


class ReceiptWaiter:
    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="audit-receipts", daemon=True)
        self._thread.start()

    async def wait(self, pending: PendingReceipt, timeout: float) -> Receipt:
        """The receipt once durable; AuditUnavailable if it failed or took over ``timeout``."""
        if pending.done():
            return pending.result(0)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Receipt] = loop.create_future()
        self._jobs.put((pending, time.monotonic() + timeout, loop, future))
        return await future

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            pending, deadline, loop, future = job
            try:
                receipt = pending.result(max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                error = AuditUnavailable("the access log did not commit in time")
                loop.call_soon_threadsafe(_settle, future, None, error)
            except AuditUnavailable as exc:
                loop.call_soon_threadsafe(_settle, future, None, exc)
            else:
                loop.call_soon_threadsafe(_settle, future, receipt, None)

    def close(self) -> None:
        self._jobs.put(None)
        self._thread.join(timeout=5)


def _settle(
    future: asyncio.Future[Receipt], receipt: Receipt | None, error: BaseException | None
) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        assert receipt is not None
        future.set_result(receipt)

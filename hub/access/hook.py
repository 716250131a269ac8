"""The audit hook: one leaf per request, durable before the response is sent.

The hub calls :meth:`AccessLogger.append` after the answer is built and before a byte
of it leaves; the receipt goes into a header. Any failure raises (the caller answers
503 with no data: fail closed). With ``log=None`` (benchmarks only) nothing is written.
"""

from __future__ import annotations

from audit import AuditLog, Receipt
from hub.access.record import access_record
from hub.access.state import AccessState
from hub.access.waiter import ReceiptWaiter

RECEIPT_HEADER = "X-Audit-Receipt"


def receipt_header(receipt: Receipt) -> str:
    """``<leaf index>:<leaf hash hex>``: enough to fetch and check the inclusion proof."""
    return f"{receipt.index}:{receipt.leaf_hash}"


class AccessLogger:
    def __init__(self, log: AuditLog | None, timeout: float) -> None:
        self.log = log
        self._timeout = timeout
        self._waiter = ReceiptWaiter() if log is not None else None

    async def append(self, state: AccessState) -> Receipt | None:
        """Write the request's leaf and wait until it is durable (AuditError otherwise)."""
        if self.log is None or self._waiter is None:
            return None
        pending = self.log.submit(access_record(state), state.subjects)
        return await self._waiter.wait(pending, self._timeout)

    def close(self) -> None:
        if self._waiter is not None:
            self._waiter.close()

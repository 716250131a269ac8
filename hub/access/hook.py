"""The audit hook: one leaf per request, durable before the response is sent.

The hub calls :meth:`AccessLogger.append` after the answer is built and before a byte
of it leaves; the receipt goes into a header. Any failure raises (the caller answers
503 with no data: fail closed). With ``log=None`` (benchmarks only) nothing is written.
"""

from __future__ import annotations

from starlette.responses import Response

from audit import Receipt
from audit.process import LogProcess
from hub.access.record import access_record
from hub.access.state import AccessState

RECEIPT_HEADER = "X-Audit-Receipt"


def receipt_header(receipt: Receipt) -> str:
    """``<leaf index>:<leaf hash hex>``: enough to fetch and check the inclusion proof."""
    return f"{receipt.index}:{receipt.leaf_hash}"


def add_receipt(response: Response, receipt: Receipt) -> None:
    """Put the receipt header on a response (appended raw: no response has one yet)."""
    value = receipt_header(receipt).encode("latin-1")
    response.raw_headers.append((RECEIPT_HEADER.lower().encode("latin-1"), value))


class AccessLogger:
    def __init__(self, log: LogProcess | None, timeout: float) -> None:
        self.log = log
        self._timeout = timeout

    async def append(self, state: AccessState) -> Receipt | None:
        """Write the request's leaf and wait until it is durable (AuditError otherwise)."""
        if self.log is None:
            return None
        return await self.log.append_async(access_record(state), state.subjects, self._timeout)

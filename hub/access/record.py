"""Turn a request's AccessState into the leaf's AccessRecord (the audit package's type)."""

from __future__ import annotations

import hashlib

from audit import AccessRecord, Result
from audit.leaf import Outcome
from hub.access.normalise import QueryInfo, describe
from hub.access.purpose import scrub
from hub.access.state import AccessState

NO_QUERY = QueryInfo("0" * 64, "(no query)")


def access_record(state: AccessState) -> AccessRecord:
    if state.endpoint is not None:  # a public HTTP endpoint: the request with values blanked
        request = (state.endpoint_request or state.endpoint).encode("utf-8")
        info = QueryInfo(hashlib.sha256(request).hexdigest(), state.endpoint)
    elif state.query:
        info = describe(state.query, state.operation_name)
    else:
        info = NO_QUERY
    outcome: Outcome
    if state.refused or state.unauthenticated:
        outcome = "refused"
    elif state.error_class is not None:
        outcome = "error"
    else:
        outcome = "allowed"
    principal = state.principal
    purpose = scrub(" | ".join(state.purposes) or state.header_purpose or "-")
    return AccessRecord(
        principal=principal.key_id,
        agency=principal.agency,
        role="unauthenticated" if state.unauthenticated else principal.role.value,
        purpose=purpose[:1000],
        operation=info.operation,
        query_sha256=info.sha256,
        result=Result(outcome, len(state.subjects), state.error_class),
    )

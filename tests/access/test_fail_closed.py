"""If the access log cannot be written, the API answers 503 with no data (fail closed)."""

from __future__ import annotations

import httpx
import pytest

from tests.api.conftest import LiveHub
from tests.sanctions.test_acceptance import LR_OLD, A

QUERIES = [
    (
        f'{{ sanctions(subject: {{uscc: "{A}"}}, purpose: "licence review") {{ measures {{ measure {{ code }} }} }} }}',
        "agency",
    ),
    (
        f'{{ person(idType: RESIDENT_ID, idNumber: "{LR_OLD}", purpose: "ban check") {{ name idNumber }} }}',
        "credit_office",
    ),
    ("{ measures { code } }", None),
]


def _assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503
    assert "X-Audit-Receipt" not in response.headers
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["message"].startswith("the access log cannot be written")
    text = response.text
    assert "老法人" not in text and LR_OLD not in text and "BLACK-" not in text


@pytest.mark.parametrize("breakage", ["readonly database", "closed log"])
def test_unwritable_log_means_503_and_no_data(server: LiveHub, breakage: str) -> None:
    for query, key in QUERIES:  # all fine while the log works
        assert server.post(query, key=key).status_code == 200
    log = server.services.audit
    if breakage == "readonly database":
        with log._log_lock:  # the log's own write connection starts refusing writes
            log._conn.execute("PRAGMA query_only=ON")
        first = server.post(QUERIES[0][0], key="agency")  # the write that discovers it
        _assert_unavailable(first)
    else:
        log.close()
    for query, key in QUERIES:
        _assert_unavailable(server.post(query, key=key))
    # an unauthenticated request is not answered either
    _assert_unavailable(
        httpx.post(
            f"{server.url}/graphql",
            json={"query": "{ measures { code } }"},
            headers={"Authorization": "Bearer chk_0_0"},
        )
    )

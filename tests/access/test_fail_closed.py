"""If the access log cannot be written, the API answers 503 with no data (fail closed)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx
import pytest

from hub.settings import Settings
from tests.api.conftest import LiveHub, live_hub
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


@pytest.mark.parametrize("breakage", ["log process killed", "closed log"])
def test_unwritable_log_means_503_and_no_data(server: LiveHub, breakage: str) -> None:
    for query, key in QUERIES:  # all fine while the log works
        assert server.post(query, key=key).status_code == 200
    log = server.services.audit
    if breakage == "log process killed":
        log.process.kill()
        log.process.wait()
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


def test_a_log_that_does_not_answer_in_time_means_503(data_dir: Path) -> None:
    with live_hub(data_dir, Settings(audit_timeout=0.5)) as hub:
        assert hub.post(QUERIES[0][0], key="agency").status_code == 200
        child = hub.services.audit.process.pid
        os.kill(child, signal.SIGSTOP)  # alive, but it answers nothing
        try:
            started = time.monotonic()
            _assert_unavailable(hub.post(QUERIES[0][0], key="agency"))
            assert time.monotonic() - started < 3
        finally:
            os.kill(child, signal.SIGCONT)
        # a late commit does not fail the log: the next request is answered again
        assert hub.post(QUERIES[0][0], key="agency").status_code == 200

"""One live hub per module (real HTTP on 127.0.0.1) with a key for every role; tests that
break the log get their own (the function-scoped `server` of tests/api)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hub.personal_data import create_secret_file
from hub.settings import Settings
from tests.api.conftest import LiveHub, live_hub, server

__all__ = ["server"]


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHub]:
    data_dir = tmp_path_factory.mktemp("access") / "var"
    settings = Settings(data_dir=data_dir, store="embedded", screen_max_subjects=50)
    create_secret_file(settings.secret_path)
    with live_hub(data_dir, settings) as live:
        live.post("{ measures { code } }", key=None)  # the log is never empty in these tests
        yield live

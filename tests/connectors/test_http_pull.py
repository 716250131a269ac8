"""Pulling an agency API: retries a dropped page, resumes from the saved cursor."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from hub.demo import make_resident_id
from tests.connectors.api_server import AgencyApi, serve
from tests.connectors.conftest import counts, ingest


def items(first: int, n: int) -> list[dict[str, Any]]:
    rng = random.Random(first)
    return [
        {
            "案件编号": f"公(治)决字〔2025〕{i}号",
            "姓名": "周杰",
            "证件类型": "居民身份证",
            "证件号码": make_resident_id(rng),
            "违法行为": "殴打医务人员",
            "发生地点": "华氏综合医院",
            "发生日期": "2025-03-01",
            "处理结果": "行政拘留十日",
            "决定日期": "2025-03-02",
            "处理机关": "市公安局",
        }
        for i in range(first, first + n)
    ]


async def test_dropped_page_is_retried(hub: object) -> None:
    api = AgencyApi(items(1, 25))
    api.drops["c10"] = 2  # the second page breaks twice mid-body
    with serve(api) as url:
        report = await ingest("ps", url, page_size=10, backoff=0.01)
    assert report.error is None
    assert api.log == ["", "c10", "c10", "c10", "c20"]
    assert (report.rows.read, report.rows.accepted) == (25, 25)
    assert report.api == {"started_at_cursor": None, "cursor": "c25", "pages": 3, "retries": 2}
    assert (await counts())["ListEntry"] == 25


async def test_resumes_from_cursor_after_failure(hub: object, tmp_path: Path) -> None:
    api = AgencyApi(items(1, 25))
    api.drops["c20"] = 10  # the third page keeps breaking beyond the retries
    with serve(api) as url:
        first = await ingest("ps", url, page_size=10, retries=2, backoff=0.01)
        assert first.error is not None and "gave up after 2 retries" in first.error
        assert (first.rows.read, first.api["cursor"], first.api["pages"]) == (20, "c20", 2)
        assert (await counts())["ListEntry"] == 20  # what was read is stored

        api.drops.clear()
        api.log.clear()
        second = await ingest("ps", url, page_size=10)
        assert second.error is None
        assert api.log == ["c20"]  # resumed: nothing re-read, nothing missed
        assert (second.rows.read, second.api["started_at_cursor"], second.api["cursor"]) == (
            5,
            "c20",
            "c25",
        )

        api.items += items(26, 3)  # the agency publishes more: the next run gets only those
        api.log.clear()
        third = await ingest("ps", url, page_size=10)
        assert api.log == ["c25"]
        assert third.rows.read == 3
    graph = await counts()
    assert (graph["ListEntry"], graph["Person"]) == (28, 28)

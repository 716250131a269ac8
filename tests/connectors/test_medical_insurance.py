"""Medical insurance: mixed JSON Lines, and points that become focus / black entries."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from connectors.agencies import agency
from connectors.runner import points_path
from hub.identifiers import PersonId
from hub.personal_data import load_keyring
from hub.settings import Settings
from tests.connectors.conftest import counts, ingest, nodes, rejections
from tests.connectors.samples import IDS, USCCS


def jsonl(path: Path, items: list[dict[str, Any] | str]) -> Path:
    lines = [i if isinstance(i, str) else json.dumps(i, ensure_ascii=False) for i in items]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def violation(number: str, person: int, day: str, points: int) -> dict[str, Any]:
    return {
        "记分编号": number,
        "姓名": "王伟",
        "证件类型": "居民身份证",
        "证件号码": IDS[person],
        "定点机构统一社会信用代码": USCCS[0],
        "违规行为": "分解住院",
        "违规日期": day,
        "记分": points,
    }


def entry_id(person: int, year: int, threshold: int) -> str:
    keyring = load_keyring(Settings().secret_path)
    pkey = keyring.person_key(PersonId("resident_id", IDS[person]))
    return f"MI-PTS-{year}-{pkey[:24]}-{threshold}"


async def test_mixed_tables_and_bad_lines(hub: object, tmp_path: Path) -> None:
    path = jsonl(
        tmp_path / "mi.jsonl",
        [
            {
                "协议编号": "YB001",
                "统一社会信用代码": USCCS[0],
                "定点机构名称": "华氏综合医院",
                "定点类别": "定点医疗机构",
                "协议开始日期": "2024-01-01",
                "协议结束日期": "2026-12-31",
                "协议状态": "解除",
            },
            {
                "处理决定书文号": "医保处〔2025〕7号",
                "统一社会信用代码": USCCS[1],
                "机构名称": "李氏诊所",
                "违规类型": "欺诈骗保",
                "违规事实": "虚构医药服务项目",
                "处理结果": "追回并处罚款",
                "罚款金额": "3.5万",
                "处理日期": "2025年8月8日",
                "处理依据": "《医疗保障基金使用监督管理条例》第四十条",
            },
            "{not json",
            "[1, 2]",
            "",
            {"协议编号": "YB002", "统一社会信用代码": USCCS[2]},
            violation("JF1", 0, "2025-01-10", 3),
        ],
    )
    report = await ingest("mi", path)
    assert (report.rows.read, report.rows.accepted, report.rows.rejected) == (6, 3, 3)
    assert rejections(report) == [
        (
            "mi.jsonl:line 3",
            "line",
            "not valid JSON (Expecting property name enclosed in double quotes at column 2)",
        ),
        ("mi.jsonl:line 4", "line", "a line must be a JSON object"),
        (
            "mi.jsonl:line 6",
            "columns",
            "looks like 定点医药机构服务协议 but lacks 定点机构名称、定点类别、协议开始日期",
        ),
    ]
    penalty = (await nodes("Penalty", ["mi/医保处〔2025〕7号"]))["mi/医保处〔2025〕7号"]
    assert (penalty["amount"], penalty["decided_on"]) == ("3.5E+4", "2025-08-08")
    commitment = (await nodes("Commitment", ["mi/agreement/YB001"]))["mi/agreement/YB001"]
    assert commitment["kept"] == "false"


async def test_points_thresholds_across_files(hub: object, tmp_path: Path) -> None:
    first = jsonl(
        tmp_path / "jan.jsonl",
        [violation("A1", 0, "2025-01-10", 4), violation("A2", 0, "2025-02-10", 4)],
    )
    await ingest("mi", first)
    assert not await nodes("ListEntry", [entry_id(0, 2025, 9)])

    second = jsonl(
        tmp_path / "mar.jsonl",
        [
            violation("A3", 0, "2025-03-10", 2),  # 10 points in 2025: suspended
            violation("A4", 0, "2025-04-10", 3),  # 13 points: ended, one year
            violation("B1", 1, "2024-12-30", 8),  # another year ...
            violation("B2", 1, "2025-01-02", 8),  # ... so no threshold: points reset
            violation("C1", 2, "2025-06-01", 12),  # 12 in one event: three years
            violation("A2", 0, "2025-02-10", 4),  # a replayed violation counts once
        ],
    )
    report = await ingest("mi", second)
    assert report.rows.rejected == 0
    ids = [entry_id(0, 2025, 9), entry_id(0, 2025, 12), entry_id(2, 2025, 9), entry_id(2, 2025, 12)]
    entries = await nodes("ListEntry", ids)
    focus, black = entries[ids[0]], entries[ids[1]]
    assert (focus["list_type"], focus["valid_from"], focus["valid_until"]) == (
        "focus",
        "2025-03-10",
        "2025-09-10",
    )
    assert (black["list_type"], black["valid_from"], black["valid_until"]) == (
        "black",
        "2025-04-10",
        "2026-04-10",
    )
    assert black["subject_kind"] == "person"
    assert entries[ids[3]]["valid_until"] == "2028-06-01"
    assert entries[ids[2]]["list_type"] == "focus"
    assert (await counts())["ListEntry"] == 4
    ledger = points_path(Settings(), agency("mi"))
    assert IDS[0] not in ledger.read_text()

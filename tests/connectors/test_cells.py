"""Cell normalisation, encoding and header detection, one behaviour at a time."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from connectors import cells, encoding, headers
from tests.connectors.samples import ID_X, IDS


@pytest.mark.parametrize(
    "raw",
    [
        "2021年6月30日",
        "2021/6/30",
        "20210630",
        "2021-06-30",
        "２０２１－０６－３０",
        "2021.6.30",
        "44377",
        44377,
        44377.0,
        dt.datetime(2021, 6, 30, 8, 15),
        dt.date(2021, 6, 30),
        " 2021-06-30 00:00:00 ",
        "2021年 6月 30日",
    ],
)
def test_dates(raw: object) -> None:
    assert cells.date(raw, "日期") == dt.date(2021, 6, 30)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("2021年2月30日", "not a real date (got '2021年2月30日')"),
        ("6/30/2021", "not a date (got '6/30/2021')"),
        ("", "is empty"),
        (0, "not an Excel date serial (got 0)"),
    ],
)
def test_bad_dates(raw: object, reason: str) -> None:
    with pytest.raises(cells.CellError) as err:
        cells.date(raw, "日期")
    assert (err.value.column, err.value.reason) == ("日期", reason)


def test_person_ids() -> None:
    assert cells.person_id("身份证", ID_X.lower(), "证件类型", "证件号码")["id_number"] == ID_X
    assert cells.person_id(
        "", IDS[0].translate(str.maketrans("0123456789", "０１２３４５６７８９")), "t", "n"
    ) == {"id_type": "resident_id", "id_number": IDS[0]}
    assert cells.person_id("护照", "e1234567\u200b", "t", "n") == {
        "id_type": "passport",
        "id_number": "E1234567",
    }
    assert cells.id_type("港澳居民来往内地通行证", "t") == "hk_macao_taiwan"
    assert cells.id_type("外国人永久居留身份证", "t") == "foreign_permanent"
    with pytest.raises(cells.CellError, match="unknown document type"):
        cells.id_type("驾驶证", "证件类型")


def test_amounts_and_text() -> None:
    assert cells.amount("1,500.00元", "a") == Decimal("1500")
    assert cells.amount("3.5万", "a") == Decimal("35000")
    assert cells.amount("12", "a", scale=10_000) == Decimal("120000")
    assert cells.amount("", "a") is None
    with pytest.raises(cells.CellError, match="non-negative"):
        cells.amount("-5", "a")
    assert cells.text(" 华氏\u200b  医院\u3000") == "华氏 医院"
    assert cells.text(2025.0) == "2025"


def test_encoding_from_bytes(tmp_path: Path) -> None:
    text = (
        "统一社会信用代码,企业名称\n" + "a,b\n" * 50_000 + "x,华氏医院\n"
    )  # Chinese far from the start
    for enc, expected in (
        ("gbk", "gb18030"),
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("gb18030", "gb18030"),
    ):
        path = tmp_path / f"file.{enc}.txt"
        path.write_bytes(text.encode(enc))
        assert encoding.detect(path) == expected


def test_two_row_header_flattening() -> None:
    top = ["统一社会信用代码", "法定代表人", None, None, "评分", None, "备注"]
    sub = [None, "姓名", "证件类型", "证件号码", "母婴保健", "综合管理", None]
    assert headers.two_rows(top, sub) == [
        ("统一社会信用代码",),
        ("法定代表人姓名", "姓名"),
        ("法定代表人证件类型", "证件类型"),
        ("法定代表人证件号码", "证件号码"),
        ("评分母婴保健", "母婴保健"),
        ("评分综合管理", "综合管理"),
        ("备注",),
    ]
    assert headers.label(" *企业名称（必填）") == "企业名称"

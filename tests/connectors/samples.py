"""Small native tables per agency: untidy good rows, bad rows and the exact rejections.

The same rows are written as CSV (UTF-8, UTF-8 with BOM, GBK), XLSX and JSON Lines by
the format tests, so every agency is exercised in every format.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from hub.demo import make_resident_id, make_uscc
from hub.identifiers import IdentifierError, mask, parse_person_id, parse_uscc

_rng = random.Random(20261101)
USCCS = [make_uscc(_rng, "320506") for _ in range(8)]
IDS = [make_resident_id(_rng, "320506") for _ in range(8)]
ID_X = next(i for i in (make_resident_id(_rng) for _ in range(500)) if i.endswith("X"))
FULL = str.maketrans("0123456789", "０１２３４５６７８９")


def wrong_check(value: str) -> str:
    last = "0" if value[-1] != "0" else "1"
    return value[:-1] + last


def uscc_reason(value: str) -> str:
    try:
        parse_uscc(value)
    except IdentifierError as err:
        return f"{err.reason} (got {err.shown!r})"
    raise AssertionError("valid")


def id_reason(value: str) -> str:
    try:
        parse_person_id("resident_id", value)
    except IdentifierError as err:
        return f"{err.reason} (got {err.shown!r})"
    raise AssertionError("valid")


@dataclass(frozen=True)
class Sample:
    agency: str
    sheet: str
    header: list[str]
    rows: list[list[Any]]
    bad: dict[int, tuple[str, str]]  # data row index -> (field, reason)
    records: int  # records the good rows make

    @property
    def good(self) -> int:
        return len(self.rows) - len(self.bad)


MR = Sample(
    "mr",
    "企业登记",
    [
        "统一社会信用代码",
        "企业名称",
        "法定代表人",
        "法定代表人证件类型",
        "法定代表人证件号码",
        "成立日期",
        "登记状态",
    ],
    [
        [USCCS[0], "华氏综合医院", "王伟", "居民身份证", IDS[0], "2019年3月5日", "存续"],
        [
            USCCS[1].translate(FULL),
            "李氏诊所",
            "\u3000李娜 ",
            "身份证",
            ID_X.lower(),
            "2019/3/5",
            "在业",
        ],
        [f" {USCCS[2]}", "张氏门诊部", "张强", "", IDS[2].translate(FULL), "20190305", "存续"],
        [USCCS[3], "刘氏中医医院", "刘洋", "居民身份证", IDS[3], "43529", "吊销"],
        [wrong_check(USCCS[4]), "陈氏诊所", "陈静", "居民身份证", IDS[4], "2020-01-02", "存续"],
        [USCCS[5], "杨氏诊所", "杨磊", "居民身份证", wrong_check(IDS[5]), "2020-01-02", "存续"],
        [USCCS[6], "黄氏诊所", "黄勇", "居民身份证", IDS[6], "2021年2月30日", "存续"],
        [USCCS[7], "", "赵军", "居民身份证", IDS[7], "2021-02-03", "存续"],
        [USCCS[7], "赵氏诊所", "赵军", "军官证", IDS[7], "2021-02-03", "存续"],
    ],
    {
        4: ("统一社会信用代码", uscc_reason(wrong_check(USCCS[4]))),
        5: ("法定代表人证件号码", id_reason(wrong_check(IDS[5]))),
        6: ("成立日期", "not a real date (got '2021年2月30日')"),
        7: ("企业名称", "is empty"),
        8: ("法定代表人证件类型", "unknown document type '军官证'"),
    },
    records=3 * 4,
)

HC = Sample(
    "hc",
    "执业注册",
    [
        "执业证书编码",
        "姓名",
        "证件类型",
        "证件号码",
        "执业类别",
        "执业地点",
        "执业机构统一社会信用代码",
        "注册日期",
    ],
    [
        [
            "110320506000001",
            "王伟",
            "居民身份证",
            IDS[0],
            "临床",
            "华氏综合医院",
            USCCS[0],
            "2018年7月1日",
        ],
        [
            "110320506000002",
            "李娜",
            "身份证",
            ID_X.lower(),
            "护士",
            "华氏综合医院",
            USCCS[0],
            "43282",
        ],
        [
            "110320506000003",
            "张强",
            "居民身份证",
            IDS[2],
            "兽医",
            "华氏综合医院",
            USCCS[0],
            "2018-07-01",
        ],
        ["", "刘洋", "居民身份证", IDS[3], "中医", "华氏综合医院", USCCS[0], "2018-07-01"],
        ["110320506000005", "陈静", "居民身份证", IDS[4], "口腔", "华氏综合医院", USCCS[0], "明年"],
    ],
    {
        2: ("执业类别", "unknown practice category '兽医'"),
        3: ("执业证书编码", "is empty"),
        4: ("注册日期", "not a date (got '明年')"),
    },
    records=2 * 2,
)

MI = Sample(
    "mi",
    "医保记分",
    [
        "记分编号",
        "姓名",
        "证件类型",
        "证件号码",
        "定点机构统一社会信用代码",
        "违规行为",
        "违规日期",
        "记分",
    ],
    [
        ["JF2025001", "王伟", "居民身份证", IDS[0], USCCS[0], "分解住院", "2025-03-01", "4"],
        ["JF2025002", "王伟", "居民身份证", IDS[0], USCCS[0], "挂床住院", "2025年5月1日", "３"],
        ["JF2025003", "王伟", "居民身份证", IDS[0], USCCS[0], "串换药品", "20250701", "2"],
        ["JF2025004", "李娜", "居民身份证", IDS[1], USCCS[0], "虚记费用", "2025-02-01", "15"],
        [
            "JF2025005",
            "李娜",
            "居民身份证",
            wrong_check(IDS[1]),
            USCCS[0],
            "虚记费用",
            "2025-02-01",
            "3",
        ],
    ],
    {
        3: ("记分", "must be between 1 and 12 (got 15)"),
        4: ("证件号码", id_reason(wrong_check(IDS[1]))),
    },
    records=3 + 1,  # three person records, and a focus entry once 9 points are reached
)

PS = Sample(
    "ps",
    "扰乱医疗秩序",
    [
        "案件编号",
        "姓名",
        "证件类型",
        "证件号码",
        "违法行为",
        "发生地点",
        "发生日期",
        "处理结果",
        "决定日期",
        "处理机关",
    ],
    [
        [
            "公(治)决字〔2025〕101号",
            "周杰",
            "居民身份证",
            IDS[0],
            "殴打医务人员",
            "华氏综合医院",
            "2025-03-01",
            "行政拘留十日",
            "2025-03-02",
            "市公安局",
        ],
        [
            "公(治)决字〔2025〕102号",
            "吴敏",
            "身份证",
            ID_X,
            "倒卖挂号凭证",
            "华氏综合医院",
            "2025/3/1",
            "追究刑事责任",
            "2025/4/1",
            "市公安局",
        ],
        [
            "公(治)决字〔2025〕103号",
            "郑涛",
            "居民身份证",
            IDS[2],
            "大声喧哗",
            "华氏综合医院",
            "2025-03-01",
            "警告",
            "2025-03-02",
            "市公安局",
        ],
        [
            "公(治)决字〔2025〕104号",
            "孙超",
            "居民身份证",
            IDS[3],
            "殴打医务人员",
            "华氏综合医院",
            "2025-05-01",
            "行政拘留五日",
            "2025-03-02",
            "市公安局",
        ],
        [
            "公(治)决字〔2025〕105号",
            "马丽",
            "居民身份证",
            "3205061990",
            "殴打医务人员",
            "华氏综合医院",
            "2025-03-01",
            "行政拘留五日",
            "2025-03-02",
            "市公安局",
        ],
    ],
    {
        2: (
            "处理结果",
            "only administrative detention or criminal liability lists a person (got '警告')",
        ),
        3: ("发生日期", "is after 决定日期"),
        4: (
            "证件号码",
            f"a resident ID has 18 characters (or 15 digits) (got {mask('3205061990')!r})",
        ),
    },
    records=2 * 2,
)

SAMPLES = {s.agency: s for s in (MR, HC, MI, PS)}

"""Native demo files for the four agencies from one generated world (hub.demo).

Each agency gets its own format and encoding (market regulation GBK CSV, health
commission XLSX with merged headers, medical insurance JSON Lines, public security
UTF-8-BOM CSV), valid rows written the untidy ways real exports are (full-width digits,
lower-case x, five date spellings), and an exact, recorded number of bad rows.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import unicodedata
from pathlib import Path
from typing import Any

from connectors.demo_writers import NativeSheet, write_csv, write_jsonl, write_xlsx
from hub.demo import SURNAMES, World, generate, make_name, make_resident_id
from hub.identifiers import USCC_ALPHABET

Row = dict[str, Any]
TODAY = dt.date(2026, 11, 1)
AREAS = ("医疗执业管理", "母婴保健", "专项技术管理", "传染病防治", "综合管理")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


class Untidy:
    """Valid values written the ways agencies' exports write them."""

    def __init__(self, rng: random.Random, invisible: bool) -> None:
        self.rng = rng
        self.invisible = invisible  # zero-width spaces do not exist in GBK

    def date(self, day: dt.date) -> Any:
        style = self.rng.randrange(5)
        if style == 0:
            return f"{day.year}年{day.month}月{day.day}日"
        if style == 1:
            return f"{day.year}/{day.month}/{day.day}"
        if style == 2:
            return day.strftime("%Y%m%d")
        if style == 3:
            return str((day - dt.date(1899, 12, 30)).days)  # an Excel serial, as text
        return day.isoformat()

    def code(self, value: str) -> str:
        roll = self.rng.random()
        if roll < 0.1:
            return value.translate(FULL_WIDTH)
        if roll < 0.2:
            return value.lower() if value.endswith("X") else f" {value} "
        if roll < 0.25 and self.invisible:
            return value[:6] + "\u200b" + value[6:]
        return value

    def name(self, value: str) -> str:
        return f" {value}" if self.rng.random() < 0.05 else value


def _spoil(rng: random.Random, row: Row, spoilable: dict[str, str]) -> None:
    """Make one row certainly bad, in a column the table validates."""
    label, kind = rng.choice(sorted(spoilable.items()))
    value = str(row[label]).strip()
    if kind == "code":  # a wrong check character
        alphabet = USCC_ALPHABET if len(value) == 18 and not value[:17].isdigit() else "0123456789X"
        last = unicodedata.normalize("NFKC", value[-1]).upper()
        row[label] = value[:-1] + rng.choice([c for c in alphabet if c != last])
    elif kind == "date":
        row[label] = "2021年13月45日"
    else:
        row[label] = ""


class Builder:
    def __init__(self, world: World, seed: int, bad_share: float) -> None:
        self.world = world
        self.rng = random.Random(seed * 7919 + 1)
        self.bad_share = bad_share
        self.counter = 0

    def serial(self) -> int:
        self.counter += 1
        return self.counter

    def rows(self, rows: list[Row], spoilable: dict[str, str]) -> tuple[list[Row], int]:
        out, bad = [], 0
        for row in rows:
            if self.bad_share and self.rng.random() < self.bad_share:
                _spoil(self.rng, row, spoilable)
                bad += 1
            out.append(row)
        return out, bad


def _holder(world: World, uscc: str, role: str) -> dict[str, Any]:
    return next(r for r in world.roles if r["uscc"] == uscc and r["role"] == role and not r["to"])


def _market(b: Builder, u: Untidy) -> dict[str, tuple[list[Row], int]]:
    rng, w = b.rng, b.world

    def registration() -> list[Row]:
        rows = []
        for inst in w.institutions:
            rep = _holder(w, inst["uscc"], "legal_representative")
            founded = _holder(w, inst["uscc"], "principal")["from"]
            rows.append(
                {
                    "统一社会信用代码": u.code(inst["uscc"]),
                    "企业名称": inst["name"],
                    "法定代表人": u.name(rep["person"]["name"]),
                    "法定代表人证件类型": "居民身份证",
                    "法定代表人证件号码": u.code(rep["person"]["id_number"]),
                    "成立日期": u.date(founded),
                    "登记状态": rng.choice(("存续", "在业", "开业")),
                    "法定代表人任职日期": u.date(rep["from"]),
                }
            )
        return rows

    def penalties() -> list[Row]:
        rows = []
        for inst in w.institutions:
            if rng.random() < 0.15:
                day = TODAY - dt.timedelta(days=rng.randrange(30, 900))
                rows.append(
                    {
                        "行政处罚决定书文号": f"市监罚〔{day.year}〕{b.serial()}号",
                        "当事人名称": inst["name"],
                        "统一社会信用代码": u.code(inst["uscc"]),
                        "处罚类别": rng.choice(("罚款", "警告", "没收违法所得、罚款")),
                        "处罚内容": "发布虚假医疗广告",
                        "罚款金额": rng.choice(("", "20000", "5万", "150000.00")),
                        "处罚决定日期": u.date(day),
                        "处罚机关": "市市场监督管理局",
                        "处罚依据": "《中华人民共和国广告法》第五十五条",
                    }
                )
        return rows

    def dishonest() -> list[Row]:
        rows = []
        for inst in w.institutions:
            if rng.random() < 0.04:
                day = TODAY - dt.timedelta(days=rng.randrange(30, 700))
                rows.append(
                    {
                        "列入决定书文号": f"市监信列〔{day.year}〕{b.serial()}号",
                        "统一社会信用代码": u.code(inst["uscc"]),
                        "企业名称": inst["name"],
                        "列入严重违法失信企业名单原因": "提供虚假材料取得登记",
                        "列入日期": u.date(day),
                        "作出决定机关": "市市场监督管理局",
                    }
                )
        return rows

    code = {"统一社会信用代码": "code"}
    return {
        "mr_企业登记.csv": b.rows(
            registration(),
            {**code, "法定代表人证件号码": "code", "成立日期": "date", "企业名称": "empty"},
        ),
        "mr_行政处罚.csv": b.rows(
            penalties(), {**code, "处罚决定日期": "date", "处罚依据": "empty"}
        ),
        "mr_严重违法失信企业名单.csv": b.rows(dishonest(), {**code, "列入日期": "date"}),
    }


def _health(b: Builder, u: Untidy) -> list[tuple[NativeSheet, list[Row], int]]:
    rng, w = b.rng, b.world
    licences: list[Row] = []
    practitioners: list[Row] = []
    evaluations: list[Row] = []
    for inst in w.institutions:
        boss = _holder(w, inst["uscc"], "principal")
        licence_no = f"PDY{rng.randrange(10**8):08d}{inst['uscc'][2:8]}"
        licences.append(
            {
                "执业许可证登记号": licence_no,
                "统一社会信用代码": u.code(inst["uscc"]),
                "机构名称": inst["name"],
                "机构类别": inst["name"].split("氏", 1)[1],
                "发证日期": dt.datetime.combine(boss["from"], dt.time()),
                "主要负责人": boss["person"]["name"],
                "主要负责人证件类型": "居民身份证",
                "主要负责人证件号码": u.code(boss["person"]["id_number"]),
            }
        )
        scores = [rng.randrange(55, 100) for _ in AREAS]
        mean = sum(scores) / len(scores)
        grade = "优秀" if mean >= 90 else "合格" if mean >= 65 else "差"
        evaluations.append(
            {
                "统一社会信用代码": u.code(inst["uscc"]),
                "机构名称": inst["name"],
                "评价年度": TODAY.year - 1,
                **dict(zip(AREAS, scores, strict=True)),
                "评价等级": grade,
            }
        )
    for role in w.roles:
        if role["role"] == "practitioner":
            practitioners.append(
                {
                    "执业证书编码": f"1{rng.randrange(10**14):014d}",
                    "姓名": role["person"]["name"],
                    "证件类型": "身份证",
                    "证件号码": u.code(role["person"]["id_number"]),
                    "执业类别": rng.choice(("临床", "中医", "口腔", "护士")),
                    "执业地点": next(
                        i["name"] for i in w.institutions if i["uscc"] == role["uscc"]
                    ),
                    "执业机构统一社会信用代码": role["uscc"],
                    "注册日期": (role["from"] - dt.date(1899, 12, 30)).days,
                }
            )
    lists = [
        {
            "名单编号": e["id"],
            "榜单类型": "黑榜" if e["list"] == "black" else "红榜",
            "统一社会信用代码": e["subject"]["uscc"],
            "机构名称": "某医疗机构",
            "列入事由": e["reason"],
            "认定依据": e["basis"],
            "认定日期": u.date(dt.date.fromisoformat(e["decided_on"])),
            "违法行为发生日期": e["violation_on"] or "",
            "有效期至": e["valid_until"],
            "直接责任人证件类型": "居民身份证" if e["responsible"] else "",
            "直接责任人证件号码": e["responsible"][0]["id_number"] if e["responsible"] else "",
        }
        for e in w.entries
    ]
    commitments = [
        {
            "承诺书编号": f"CN{b.serial():07d}",
            "承诺主体名称": inst["name"],
            "统一社会信用代码": inst["uscc"],
            "承诺内容": "依法执业，如有违反自愿接受惩戒",
            "签署日期": u.date(TODAY - dt.timedelta(days=rng.randrange(10, 500))),
            "履约情况": rng.choice(("守诺", "履行中", "违诺", "")),
        }
        for inst in w.institutions
        if rng.random() < 0.5
    ]
    code, date = "code", "date"
    plan = [
        (
            "机构执业许可",
            licences,
            {"统一社会信用代码": code, "主要负责人证件号码": code, "机构名称": "empty"},
            {},
            "医疗机构执业许可登记信息",
        ),
        (
            "执业注册",
            practitioners,
            {"证件号码": code, "执业机构统一社会信用代码": code, "注册日期": date},
            {},
            None,
        ),
        (
            "信用评价",
            evaluations,
            {"统一社会信用代码": code, "评价等级": "empty"},
            {"评分": list(AREAS)},
            None,
        ),
        ("信用承诺", commitments, {"统一社会信用代码": code, "签署日期": date}, {}, None),
        ("红黑榜", lists, {"统一社会信用代码": code, "认定日期": date}, {}, None),
    ]
    out = []
    for title, rows, spoilable, groups, banner in plan:
        spoiled, bad = b.rows(rows, spoilable)
        header = list(rows[0]) if rows else ["统一社会信用代码"]
        sheet = NativeSheet(title, header, [list(r.values()) for r in spoiled], groups, banner)
        out.append((sheet, spoiled, bad))
    return out


def _insurance(b: Builder, u: Untidy) -> dict[str, tuple[list[Row], int]]:
    rng, w = b.rng, b.world

    def agreements() -> list[Row]:
        rows = []
        for inst in w.institutions:
            if rng.random() < 0.7:
                start = dt.date(TODAY.year - rng.randrange(1, 4), 1, 1)
                rows.append(
                    {
                        "协议编号": f"YB{inst['uscc'][2:8]}{b.serial():06d}",
                        "统一社会信用代码": u.code(inst["uscc"]),
                        "定点机构名称": inst["name"],
                        "定点类别": "定点医疗机构",
                        "协议开始日期": u.date(start),
                        "协议结束日期": u.date(dt.date(start.year + 2, 12, 31)),
                        "协议状态": rng.choice(("正常", "正常", "正常", "解除")),
                    }
                )
        return rows

    def findings() -> list[Row]:
        return [
            {
                "处理决定书文号": f"医保处〔{TODAY.year}〕{b.serial()}号",
                "统一社会信用代码": u.code(inst["uscc"]),
                "机构名称": inst["name"],
                "违规类型": rng.choice(("欺诈骗保", "违规使用医保基金")),
                "违规事实": "串换药品、虚记诊疗项目",
                "处理结果": "追回医保基金并处罚款",
                "罚款金额": rng.choice((12000, 45000.5, "3万")),
                "处理日期": u.date(TODAY - dt.timedelta(days=rng.randrange(5, 300))),
                "处理依据": "《医疗保障基金使用监督管理条例》第四十条",
            }
            for inst in w.institutions
            if rng.random() < 0.06
        ]

    def points() -> list[Row]:
        rows = []
        for role in w.roles:
            if role["role"] != "practitioner" or rng.random() > 0.2:
                continue
            for _ in range(rng.randrange(1, 5)):
                day = dt.date(TODAY.year - 1, rng.randrange(1, 13), rng.randrange(1, 29))
                rows.append(
                    {
                        "记分编号": f"JF{day.year}{b.serial():07d}",
                        "姓名": role["person"]["name"],
                        "证件类型": "居民身份证",
                        "证件号码": u.code(role["person"]["id_number"]),
                        "定点机构统一社会信用代码": role["uscc"],
                        "违规行为": "分解住院、挂床住院",
                        "违规日期": day.isoformat(),
                        "记分": rng.choice((1, 2, 3, 4, 6, 9, 12)),
                    }
                )
        return rows

    code = "code"
    return {
        "agreement": b.rows(agreements(), {"统一社会信用代码": code, "协议开始日期": "date"}),
        "finding": b.rows(findings(), {"统一社会信用代码": code, "违规事实": "empty"}),
        "points": b.rows(points(), {"证件号码": code, "违规日期": "date"}),
    }


def _police(b: Builder, u: Untidy) -> tuple[list[Row], int]:
    rng, w = b.rng, b.world

    def rows() -> list[Row]:
        out = []
        for _ in range(max(3, len(w.institutions) // 5)):
            happened = TODAY - dt.timedelta(days=rng.randrange(20, 700))
            outcome = rng.choice(("行政拘留十日", "行政拘留十五日", "追究刑事责任"))
            out.append(
                {
                    "案件编号": f"公(治)决字〔{happened.year}〕{b.serial()}号",
                    "姓名": make_name(rng),
                    "证件类型": "居民身份证",
                    "证件号码": u.code(make_resident_id(rng)),
                    "违法行为": rng.choice(
                        (
                            "殴打医务人员",
                            "故意损毁医疗机构财物",
                            "携带管制器具进入医疗机构",
                            "倒卖医疗机构挂号凭证",
                        )
                    ),
                    "发生地点": rng.choice(w.institutions)["name"]
                    if w.institutions
                    else f"{rng.choice(SURNAMES)}氏诊所",
                    "发生日期": u.date(happened),
                    "处理结果": outcome,
                    "决定日期": u.date(happened + dt.timedelta(days=rng.randrange(1, 20))),
                    "处理机关": "市公安局治安管理支队",
                    "法律依据": "《中华人民共和国治安管理处罚法》第二十三条",
                }
            )
        return out

    return b.rows(rows(), {"证件号码": "code", "决定日期": "date", "姓名": "empty"})


def write_demo(out_dir: Path, scale: int, bad_share: float, seed: int) -> dict[str, Any]:
    """Write the four agencies' files and `manifest.json` (rows and bad rows per file)."""
    world, lines = generate(scale, seed)
    for _ in lines:  # generating the lines fills the world
        pass
    out_dir.mkdir(parents=True, exist_ok=True)
    b = Builder(world, seed, bad_share)
    files: list[dict[str, Any]] = []

    def note(agency: str, name: str, fmt: str, enc: str, rows: int, bad: int) -> None:
        files.append(
            {
                "agency": agency,
                "file": name,
                "format": fmt,
                "encoding": enc,
                "rows": rows,
                "bad_rows": bad,
            }
        )

    for name, (rows, bad) in _market(b, Untidy(b.rng, invisible=False)).items():
        header = list(rows[0]) if rows else ["统一社会信用代码"]
        write_csv(out_dir / name, header, ([r[h] for h in header] for r in rows), "gbk")
        note("mr", name, "csv", "gbk", len(rows), bad)

    sheets = _health(b, Untidy(b.rng, invisible=True))
    write_xlsx(
        out_dir / "hc_卫健委信用信息.xlsx",
        [s for s, _, _ in sheets],
        notes="填报说明：\n日期可写作2021年6月30日",
    )
    note(
        "hc",
        "hc_卫健委信用信息.xlsx",
        "xlsx",
        "",
        sum(len(r) for _, r, _ in sheets),
        sum(x for _, _, x in sheets),
    )

    tables = _insurance(b, Untidy(b.rng, invisible=True))
    write_jsonl(out_dir / "mi_医保数据.jsonl", (r for rows, _ in tables.values() for r in rows))
    note(
        "mi",
        "mi_医保数据.jsonl",
        "jsonl",
        "utf-8",
        sum(len(r) for r, _ in tables.values()),
        sum(x for _, x in tables.values()),
    )

    rows, bad = _police(b, Untidy(b.rng, invisible=True))
    header = list(rows[0])
    write_csv(
        out_dir / "ps_扰乱医疗秩序.csv", header, ([r[h] for h in header] for r in rows), "utf-8-sig"
    )
    note("ps", "ps_扰乱医疗秩序.csv", "csv", "utf-8-sig", len(rows), bad)

    manifest = {"scale": scale, "seed": seed, "bad_share": bad_share, "files": files}
    (out_dir / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return manifest

"""Medical insurance (医保): designated-institution agreements, violation findings, points.

An agreement is the institution's signed undertaking (kept or broken); a finding is a
penalty decision; a practitioner's points become list entries once the year's total
reaches 9 (suspension: `focus`) or 12 (termination: `black`), as the national rules say.
"""

from __future__ import annotations

from connectors.cells import CellError
from connectors.points import END_AT, Crossing
from connectors.table import (
    Column,
    Context,
    Record,
    RowView,
    Table,
    iso,
    months_after,
    source,
    years_after,
)
from hub.identifiers import PersonId

AGREEMENT_STATE = {"正常": "", "有效": "", "履行中": "", "到期": "", "中止": "", "解除": "false"}


def _agreement(row: RowView, ctx: Context) -> list[Record]:
    number = row.text("number")
    uscc = row.uscc("uscc")
    kind = row.text("kind")
    start = row.date("start")
    end = row.optional_date("end")
    state = row.choice("state", AGREEMENT_STATE) if row.has("state") else ""
    if end is not None and end < start:
        raise CellError("协议结束日期", "is before 协议开始日期")
    period = f"{start.isoformat()}至{end.isoformat() if end else '长期'}"
    return [
        {
            "type": "commitment",
            "source": source(ctx, f"agreement/{number}"),
            "subject": {"uscc": uscc},
            "text": f"医疗保障定点服务协议 {number}（{row.text('name')}，{kind}，{period}）",
            "signed_on": iso(start),
            "kept": False if state == "false" else None,
        }
    ]


AGREEMENTS = Table(
    "agreement",
    "定点医药机构服务协议",
    (
        Column("number", "协议编号"),
        Column("uscc", "统一社会信用代码", ("社会信用代码",)),
        Column("name", "定点机构名称", ("机构名称",)),
        Column("kind", "定点类别", ("机构类型",)),
        Column("start", "协议开始日期", ("协议起始日期",)),
        Column("end", "协议结束日期", ("协议终止日期",), required=False),
        Column("state", "协议状态", required=False),
    ),
    _agreement,
)

FINDING_KINDS = ("欺诈骗保", "违规使用医保基金", "违反服务协议", "违规")


def _finding(row: RowView, ctx: Context) -> list[Record]:
    decision_no = row.text("decision_no")
    kind = row.text("kind")
    if not any(k in kind for k in FINDING_KINDS):
        raise CellError("违规类型", f"unknown violation type {kind!r}")
    row.text("name")
    amount = row.amount("fine")
    return [
        {
            "type": "penalty",
            "source": source(ctx, f"finding/{decision_no}"),
            "decision_no": decision_no,
            "subject": {"uscc": row.uscc("uscc")},
            "decided_by": ctx.agency,
            "decided_on": iso(row.date("decided_on")),
            "basis": row.text("basis"),
            "penalty": f"{kind}：{row.text('facts')}；处理结果：{row.text('outcome')}",
            "amount": None if amount is None else str(amount),
        }
    ]


FINDINGS = Table(
    "finding",
    "欺诈骗保及违规查处",
    (
        Column("decision_no", "处理决定书文号", ("决定书文号",)),
        Column("uscc", "统一社会信用代码", ("社会信用代码",)),
        Column("name", "机构名称", ("定点机构名称",)),
        Column("kind", "违规类型"),
        Column("facts", "违规事实"),
        Column("outcome", "处理结果"),
        Column("fine", "罚款金额", ("处罚金额",), required=False),
        Column("decided_on", "处理日期", ("决定日期",)),
        Column("basis", "处理依据", ("依据",)),
    ),
    _finding,
)

POINTS_BASIS = "《关于建立定点医药机构相关人员医保支付资格管理制度的指导意见》"


def _entry(ctx: Context, pkey: str, person: dict[str, str], c: Crossing) -> Record:
    ended = c.threshold >= END_AT
    year = c.on.year
    until = years_after(c.on, 3 if c.in_one_event else 1) if ended else months_after(c.on, 6)
    action = "终止医保支付资格" if ended else "暂停医保支付资格"
    return {
        "type": "list_entry",
        "source": source(ctx, f"points/{year}/{pkey[:24]}/{c.threshold}"),
        "id": f"MI-PTS-{year}-{pkey[:24]}-{c.threshold}",
        "list": "black" if ended else "focus",
        "subject": person,
        "reason": f"{year}年度累计记分{c.total}分（记分编号 {c.violation_id}），{action}",
        "basis": POINTS_BASIS,
        "severity": "serious" if ended else "ordinary",
        "decided_by": ctx.agency,
        "violation_on": iso(c.on),
        "decided_on": iso(c.on),
        "valid_from": iso(c.on),
        "valid_until": iso(until),
    }


def _points(row: RowView, ctx: Context) -> list[Record]:
    number = row.text("number")
    person = row.person("id_type", "id_number")
    name = row.text("name")
    row.uscc("uscc")
    row.text("act")
    on = row.date("violation_on")
    points = row.integer("points", 1, 12)
    pkey = ctx.keyring.person_key(PersonId(person["id_type"], person["id_number"]))
    if ctx.points is None:  # pragma: no cover - the runner always supplies a ledger
        raise RuntimeError("points need a ledger")
    ctx.points.add(pkey, number, on, points)
    records: list[Record] = [
        {"type": "person", "source": source(ctx, f"points/{number}"), "name": name, **person}
    ]
    records += [_entry(ctx, pkey, person, c) for c in ctx.points.crossings(pkey, on.year)]
    return records


POINTS = Table(
    "points",
    "医保支付资格记分",
    (
        Column("number", "记分编号", ("记分记录编号",)),
        Column("name", "姓名", ("医保医师姓名",)),
        Column("id_type", "证件类型", required=False),
        Column("id_number", "证件号码", ("身份证号码",)),
        Column("uscc", "定点机构统一社会信用代码", ("统一社会信用代码",)),
        Column("act", "违规行为", ("违规情形",)),
        Column("violation_on", "违规日期", ("违规行为发生日期",)),
        Column("points", "记分", ("本次记分", "记分分值")),
    ),
    _points,
)

TABLES = (AGREEMENTS, FINDINGS, POINTS)

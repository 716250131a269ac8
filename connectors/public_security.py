"""Public security (公安): persons sanctioned for seriously disrupting medical order.

Only administrative detention or criminal liability puts a person on the
`medical_order` list (the cross-department memorandum's threshold); a warning or a fine
alone does not, so such rows are rejected rather than silently listed.
"""

from __future__ import annotations

from connectors.cells import CellError
from connectors.table import Column, Context, Record, RowView, Table, iso, source, years_after

OUTCOMES = {
    "行政拘留": "detention",
    "拘留": "detention",
    "刑事拘留": "criminal",
    "追究刑事责任": "criminal",
    "刑事责任": "criminal",
    "判处刑罚": "criminal",
}
DEFAULT_BASIS = "《关于对严重危害正常医疗秩序的失信行为责任人实施联合惩戒合作备忘录》"


def _outcome(raw: str) -> str:
    for label, kind in OUTCOMES.items():
        if label in raw:
            return kind
    raise CellError(
        "处理结果",
        f"only administrative detention or criminal liability lists a person (got {raw!r})",
    )


def _medical_order(row: RowView, ctx: Context) -> list[Record]:
    case_no = row.text("case_no")
    person = row.person("id_type", "id_number")
    name = row.text("name")
    act = row.text("act")
    place = row.text("place")
    outcome = row.text("outcome")
    _outcome(outcome)
    happened = row.date("happened_on")
    decided = row.date("decided_on")
    if happened > decided:
        raise CellError("发生日期", "is after 决定日期")
    row.text("organ")
    until = row.optional_date("valid_until") or years_after(decided, 1)
    rid = f"medical-order/{case_no}"
    return [
        {"type": "person", "source": source(ctx, rid), "name": name, **person},
        {
            "type": "list_entry",
            "source": source(ctx, f"{rid}/entry"),
            "id": f"PS-MO-{case_no}",
            "list": "medical_order",
            "subject": person,
            "reason": f"{act}（{place}），{outcome}",
            "basis": row.optional("basis") or DEFAULT_BASIS,
            "severity": "serious",
            "decided_by": ctx.agency,
            "violation_on": iso(happened),
            "decided_on": iso(decided),
            "valid_from": iso(decided),
            "valid_until": iso(until),
        },
    ]


MEDICAL_ORDER = Table(
    "medical_order",
    "严重危害正常医疗秩序失信行为责任人",
    (
        Column("case_no", "案件编号", ("处理决定书文号", "决定书文号")),
        Column("name", "姓名"),
        Column("id_type", "证件类型", required=False),
        Column("id_number", "证件号码", ("身份证号码", "公民身份号码")),
        Column("act", "违法行为", ("违法事实", "行为类型")),
        Column("place", "发生地点", ("涉事医疗机构",)),
        Column("happened_on", "发生日期", ("案发日期",)),
        Column("outcome", "处理结果", ("处理决定",)),
        Column("decided_on", "决定日期", ("处理日期",)),
        Column("organ", "处理机关", ("决定机关",)),
        Column("basis", "法律依据", ("处理依据",), required=False),
        Column("valid_until", "公示截止日期", ("有效期至",), required=False),
    ),
    _medical_order,
)

TABLES = (MEDICAL_ORDER,)

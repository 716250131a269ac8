"""Market regulation (市场监管): enterprise registration, penalties, the serious-dishonesty list.

Registration is where the legal representative comes from, the role that carries a
black-listed institution's industry ban to a person; the 严重违法失信企业名单 is a
black list the health sector must honour too.
"""

from __future__ import annotations

from connectors import common
from connectors.table import Column, Context, Record, RowView, Table, iso, source, years_after

STATUS = {
    "存续": "active",
    "在业": "active",
    "开业": "active",
    "正常": "active",
    "迁入": "active",
    "迁出": "moved",
    "停业": "suspended",
    "吊销": "revoked",
    "吊销,未注销": "revoked",
    "吊销，未注销": "revoked",
    "注销": "closed",
    "撤销": "closed",
}


def _registration(row: RowView, ctx: Context) -> list[Record]:
    uscc = row.uscc("uscc")
    name = row.text("name")
    person = row.person("rep_id_type", "rep_id_number")
    rep = row.text("rep_name")
    founded = row.date("founded_on")
    since = row.optional_date("rep_since") or founded
    status = row.choice("status", STATUS)
    ended = row.optional_date("approved_on") if status in {"revoked", "closed"} else None
    rid = f"registration/{uscc}"
    return [
        {"type": "institution", "source": source(ctx, rid), "uscc": uscc, "name": name},
        {
            "type": "person",
            "source": source(ctx, f"{rid}/legal_representative"),
            "name": rep,
            **person,
        },
        {
            "type": "role",
            "source": source(ctx, f"{rid}/legal_representative/{since.isoformat()}"),
            "person": person,
            "institution": uscc,
            "role": "legal_representative",
            "valid_from": iso(since),
            "valid_to": iso(ended),
        },
    ]


REGISTRATION = Table(
    "registration",
    "企业登记信息",
    (
        Column("uscc", "统一社会信用代码", ("社会信用代码",)),
        Column("name", "企业名称", ("主体名称", "市场主体名称")),
        Column("rep_name", "法定代表人", ("法定代表人姓名", "法定代表人(负责人)")),
        Column("rep_id_type", "法定代表人证件类型", required=False),
        Column("rep_id_number", "法定代表人证件号码", ("法定代表人身份证号码",)),
        Column("founded_on", "成立日期"),
        Column("status", "登记状态", ("经营状态", "企业状态")),
        Column("rep_since", "法定代表人任职日期", required=False),
        Column("approved_on", "核准日期", required=False),
    ),
    _registration,
)

PENALTIES = Table("penalty", "行政处罚信息", common.PENALTY_COLUMNS, common.penalty)

DEFAULT_BASIS = "《市场监督管理严重违法失信名单管理办法》"


def _dishonest(row: RowView, ctx: Context) -> list[Record]:
    uscc = row.uscc("uscc")
    row.text("name")
    row.text("organ")
    decision_no = row.text("decision_no")
    listed_on = row.date("listed_on")
    until = row.optional_date("valid_until") or years_after(listed_on, 3)
    return [
        {
            "type": "list_entry",
            "source": source(ctx, f"serious-dishonest/{decision_no}"),
            "id": f"MR-SD-{decision_no}",
            "list": "black",
            "subject": {"uscc": uscc},
            "reason": row.text("reason"),
            "basis": row.optional("basis") or DEFAULT_BASIS,
            "severity": "serious",
            "decided_by": ctx.agency,
            "decided_on": iso(listed_on),
            "valid_from": iso(listed_on),
            "valid_until": iso(until),
        }
    ]


SERIOUS_DISHONEST = Table(
    "serious_dishonest",
    "严重违法失信企业名单",
    (
        Column("decision_no", "列入决定书文号", ("决定书文号", "列入文号")),
        Column("uscc", "统一社会信用代码", ("社会信用代码",)),
        Column("name", "企业名称", ("主体名称",)),
        Column("reason", "列入严重违法失信企业名单原因", ("列入原因", "列入事由")),
        Column("listed_on", "列入日期"),
        Column("organ", "作出决定机关", ("决定机关",)),
        Column("basis", "列入依据", required=False),
        Column("valid_until", "有效期至", required=False),
    ),
    _dishonest,
)

TABLES = (REGISTRATION, PENALTIES, SERIOUS_DISHONEST)

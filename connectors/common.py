"""Row pieces several agencies share: the penalty decision and its subject.

Market regulation and the health commission publish administrative penalties with the
same nationally prescribed columns (行政处罚信息公示), so the mapping is written once.
"""

from __future__ import annotations

from connectors.cells import CellError
from connectors.table import Column, Context, Record, RowView, iso, source

SUBJECT_COLUMNS = (
    Column("uscc", "统一社会信用代码", ("社会信用代码", "信用代码"), required=False),
    Column("id_type", "证件类型", ("当事人证件类型",), required=False),
    Column("id_number", "证件号码", ("当事人证件号码", "身份证号码"), required=False),
)

PENALTY_COLUMNS = (
    Column("decision_no", "行政处罚决定书文号", ("处罚决定书文号", "决定书文号")),
    Column("party", "当事人名称", ("行政相对人名称", "当事人")),
    *SUBJECT_COLUMNS,
    Column("category", "处罚类别", ("处罚种类",)),
    Column("content", "处罚内容"),
    Column("amount", "罚款金额", ("罚款金额(元)",), required=False),
    Column("decided_on", "处罚决定日期", ("决定日期", "处罚日期")),
    Column("organ", "处罚机关", ("作出处罚决定机关", "决定机关")),
    Column("basis", "处罚依据"),
)


def subject(row: RowView) -> dict[str, str]:
    """An institution by USCC if given, else a natural person by ID document."""
    if row.has("uscc"):
        return {"uscc": row.uscc("uscc")}
    if row.has("id_number"):
        return row.person("id_type", "id_number")
    raise CellError("统一社会信用代码", "is empty (a natural person needs 证件号码 instead)")


def penalty(row: RowView, ctx: Context) -> list[Record]:
    decision_no = row.text("decision_no")
    row.text("party")
    content = row.text("content")
    return [
        {
            "type": "penalty",
            "source": source(ctx, f"penalty/{decision_no}"),
            "decision_no": decision_no,
            "subject": subject(row),
            "decided_by": ctx.agency,
            "decided_on": iso(row.date("decided_on")),
            "basis": row.text("basis"),
            "penalty": f"{row.text('category')}：{content}（{row.text('organ')}）",
            "amount": _str(row.amount("amount")),
        }
    ]


def _str(value: object) -> str | None:
    return None if value is None else str(value)

"""Health commission (卫健委): licences, practitioners, evaluations, penalties, commitments, lists.

The commission licenses institutions and registers practitioners (the roles derived
sanctions travel along), evaluates institutions yearly over five areas, and publishes
the red/black list ("谁监管、谁评定、谁公布、谁负责": it is the deciding agency).
"""

from __future__ import annotations

from connectors import common
from connectors.cells import CellError
from connectors.table import Column, Context, Record, RowView, Table, iso, source, years_after
from hub.records import EVALUATION_AREAS


def _licence(row: RowView, ctx: Context) -> list[Record]:
    uscc = row.uscc("uscc")
    licence_no = row.text("licence_no")
    rid = f"licence/{licence_no}"
    records: list[Record] = [
        {
            "type": "institution",
            "source": source(ctx, rid),
            "uscc": uscc,
            "name": row.text("name"),
            "kind": row.text("kind"),
            "licence_no": licence_no,
        }
    ]
    if row.has("principal") or row.has("principal_id_number"):
        person = row.person("principal_id_type", "principal_id_number")
        since = row.date("issued_on")
        records += [
            {
                "type": "person",
                "source": source(ctx, f"{rid}/principal"),
                "name": row.text("principal"),
                **person,
            },
            {
                "type": "role",
                "source": source(ctx, f"{rid}/principal/{since.isoformat()}"),
                "person": person,
                "institution": uscc,
                "role": "principal",
                "valid_from": iso(since),
            },
        ]
    return records


LICENCES = Table(
    "licence",
    "医疗机构执业许可",
    (
        Column("licence_no", "执业许可证登记号", ("登记号", "许可证登记号")),
        Column("uscc", "统一社会信用代码", ("社会信用代码",)),
        Column("name", "机构名称", ("医疗机构名称",)),
        Column("kind", "机构类别", ("医疗机构类别",)),
        Column("issued_on", "发证日期", ("登记日期",)),
        Column("principal", "主要负责人", ("主要负责人姓名",), required=False),
        Column("principal_id_type", "主要负责人证件类型", required=False),
        Column("principal_id_number", "主要负责人证件号码", required=False),
    ),
    _licence,
)

PRACTICE_CATEGORIES = ("临床", "中医", "口腔", "公共卫生", "护理", "护士", "药师", "医技")


def _practitioner(row: RowView, ctx: Context) -> list[Record]:
    cert = row.text("cert_no")
    person = row.person("id_type", "id_number")
    category = row.text("category")
    if not any(c in category for c in PRACTICE_CATEGORIES):
        raise CellError("执业类别", f"unknown practice category {category!r}")
    row.text("place")
    uscc = row.uscc("uscc")
    since = row.date("registered_on")
    rid = f"practitioner/{cert}"
    return [
        {"type": "person", "source": source(ctx, rid), "name": row.text("name"), **person},
        {
            "type": "role",
            "source": source(ctx, f"{rid}/{uscc}/{since.isoformat()}"),
            "person": person,
            "institution": uscc,
            "role": "practitioner",
            "valid_from": iso(since),
            "valid_to": iso(row.optional_date("deregistered_on")),
            "licence_no": cert,
        },
    ]


PRACTITIONERS = Table(
    "practitioner",
    "执业注册信息",
    (
        Column("cert_no", "执业证书编码", ("执业证书编号", "执业证书号")),
        Column("name", "姓名"),
        Column("id_type", "证件类型", required=False),
        Column("id_number", "证件号码", ("身份证号码",)),
        Column("category", "执业类别"),
        Column("place", "执业地点", ("执业机构", "执业机构名称")),
        Column("uscc", "执业机构统一社会信用代码", ("统一社会信用代码",)),
        Column("registered_on", "注册日期", ("首次注册日期",)),
        Column("deregistered_on", "注销日期", required=False),
    ),
    _practitioner,
)

AREA_LABELS = {
    "practice_management": "医疗执业管理",
    "maternal_infant_care": "母婴保健",
    "special_technology": "专项技术管理",
    "infectious_disease": "传染病防治",
    "general_management": "综合管理",
}
GRADES = {"优秀": "excellent", "合格": "pass", "差": "poor", "不合格": "poor", "较差": "poor"}


def _evaluation(row: RowView, ctx: Context) -> list[Record]:
    uscc = row.uscc("uscc")
    row.text("name")
    year = row.integer("year", 2000, 2100)
    scores = {area: row.score(area) for area in EVALUATION_AREAS if row.has(area)}
    return [
        {
            "type": "evaluation",
            "source": source(ctx, f"evaluation/{uscc}/{year}"),
            "uscc": uscc,
            "year": year,
            "grade": row.choice("grade", GRADES),
            "scores": scores,
        }
    ]


EVALUATIONS = Table(
    "evaluation",
    "医疗机构信用评价",
    (
        Column("uscc", "统一社会信用代码", ("社会信用代码",)),
        Column("name", "机构名称", ("医疗机构名称",)),
        Column("year", "评价年度", ("年度",)),
        *(
            Column(area, label, (f"评分{label}", f"得分{label}"), required=False)
            for area, label in AREA_LABELS.items()
        ),
        Column("grade", "评价等级", ("信用等级", "评定等级")),
    ),
    _evaluation,
)

PENALTIES = Table("penalty", "行政处罚信息", common.PENALTY_COLUMNS, common.penalty)

KEPT = {
    "守诺": "true",
    "践诺": "true",
    "履约": "true",
    "违诺": "false",
    "失诺": "false",
    "未履约": "false",
}


def _commitment(row: RowView, ctx: Context) -> list[Record]:
    number = row.text("number")
    kept = row.choice("kept", {**KEPT, "履行中": "", "待核查": ""}) if row.has("kept") else ""
    return [
        {
            "type": "commitment",
            "source": source(ctx, f"commitment/{number}"),
            "subject": common.subject(row),
            "text": row.text("text"),
            "signed_on": iso(row.date("signed_on")),
            "kept": None if not kept else kept == "true",
        }
    ]


COMMITMENTS = Table(
    "commitment",
    "信用承诺书",
    (
        Column("number", "承诺书编号", ("承诺编号",)),
        Column("party", "承诺主体名称", ("机构名称", "承诺人"), required=False),
        *common.SUBJECT_COLUMNS,
        Column("text", "承诺内容", ("承诺事项",)),
        Column("signed_on", "签署日期", ("承诺日期",)),
        Column("kept", "履约情况", ("履诺情况",), required=False),
    ),
    _commitment,
)

LISTS = {"红榜": "red", "红名单": "red", "黑榜": "black", "黑名单": "black"}


def _red_black(row: RowView, ctx: Context) -> list[Record]:
    number = row.text("number")
    listed = row.choice("list", LISTS)
    decided = row.date("decided_on")
    row.text("name")
    responsible = []
    if row.has("resp_id_number"):
        responsible.append(row.person("resp_id_type", "resp_id_number"))
    start = row.optional_date("valid_from") or decided
    return [
        {
            "type": "list_entry",
            "source": source(ctx, f"red-black/{number}"),
            "id": f"HC-{number}",
            "list": listed,
            "subject": {"uscc": row.uscc("uscc")},
            "reason": row.text("reason"),
            "basis": row.text("basis"),
            "severity": "serious" if listed == "black" else "minor",
            "decided_by": ctx.agency,
            "violation_on": iso(row.optional_date("violation_on")),
            "decided_on": iso(decided),
            "valid_from": iso(start),
            "valid_until": iso(row.optional_date("valid_until") or years_after(start, 1)),
            "responsible": responsible,
        }
    ]


RED_BLACK = Table(
    "red_black",
    "依法执业红黑榜",
    (
        Column("number", "名单编号", ("认定文号", "编号")),
        Column("list", "榜单类型", ("名单类型", "红黑榜")),
        Column("uscc", "统一社会信用代码", ("社会信用代码",)),
        Column("name", "机构名称", ("医疗机构名称",)),
        Column("reason", "列入事由", ("列入原因",)),
        Column("basis", "认定依据", ("列入依据",)),
        Column("decided_on", "认定日期", ("决定日期",)),
        Column("violation_on", "违法行为发生日期", required=False),
        Column("valid_from", "有效期起", required=False),
        Column("valid_until", "有效期至", required=False),
        Column("resp_name", "直接责任人", ("直接责任人姓名",), required=False),
        Column("resp_id_type", "直接责任人证件类型", required=False),
        Column("resp_id_number", "直接责任人证件号码", required=False),
    ),
    _red_black,
)

TABLES = (LICENCES, PRACTITIONERS, EVALUATIONS, PENALTIES, COMMITMENTS, RED_BLACK)

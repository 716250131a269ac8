"""Credit evaluation (信用评价) and tiered supervision (分级分类监管).

A year's five area scores give a grade by the configured thresholds; the grade sets the
supervision tier and the routine inspections per year. A violation found later lowers
the grade of the evaluation in force (降级处理), and each downgrade is kept for publication.
The Evaluation node is the one the sanctions engine reads, so its grade is always the
current one; the original grade is on the Downgrade record.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from hub.graph.port import Row
from hub.identifiers import Uscc
from hub.records import Severity
from hub.sanctions.resolve import evaluation_in_force
from hub.workflows import queries as wq
from hub.workflows.config import GRADES
from hub.workflows.context import Actor, Context, SubjectRef, iso, need_text, new_key, now_stamp
from hub.workflows.errors import WorkflowError


@dataclass(frozen=True, slots=True)
class EvaluationResult:
    ev_key: str
    uscc: str
    year: int
    grade: str
    average: float
    tier: str
    inspections_per_year: int


@dataclass(frozen=True, slots=True)
class Downgrade:
    downgrade_key: str
    uscc: str
    year: int
    from_grade: str
    to_grade: str
    on: str
    agency: str
    severity: str
    reason: str


@dataclass(frozen=True, slots=True)
class PlanRow:
    uscc: str
    name: str | None
    grade: str | None
    evaluation_year: int | None
    tier: str
    tier_name: str
    inspections_per_year: int


def _downgrade(row: Row) -> Downgrade:
    return Downgrade(
        downgrade_key=row["downgrade_key"],
        uscc=row["uscc"],
        year=int(row["year"]),
        from_grade=row["from_grade"],
        to_grade=row["to_grade"],
        on=row["on_date"],
        agency=row["agency"],
        severity=row["severity"],
        reason=row["reason"],
    )


class Evaluations:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.rules = ctx.config.evaluation

    def grade_of(self, scores: dict[str, float]) -> tuple[str, float]:
        """(grade, average) for a complete set of area scores."""
        for area in self.rules.areas:
            if area not in scores:
                raise WorkflowError(f"scores.{area}", "missing: every area is scored")
        unknown = sorted(set(scores) - set(self.rules.areas))
        if unknown:
            raise WorkflowError(f"scores.{unknown[0]}", "not an evaluation area")
        for area, score in scores.items():
            if not 0 <= score <= 100:
                raise WorkflowError(f"scores.{area}", "scores are between 0 and 100")
        average = round(sum(scores.values()) / len(scores), 2)
        lowest = min(scores.values())
        for rule in self.rules.grade:
            if average >= rule.min_average and lowest >= rule.min_area:
                return rule.grade, average
        return self.rules.grade[-1].grade, average

    def _check_actor(self, actor: Actor) -> None:
        if actor.kind not in self.rules.agency_kinds:
            raise WorkflowError(
                "agency",
                f"{actor.agency} ({actor.kind}) does not evaluate institutions; "
                f"{', '.join(self.rules.agency_kinds)} agencies do",
            )

    async def record(
        self,
        agency: str,
        role: str,
        uscc: Uscc,
        year: int,
        scores: dict[str, float],
        on: dt.date,
        note: str = "",
    ) -> EvaluationResult:
        """Record a year's evaluation of an institution (once per institution and year)."""
        if year > on.year:
            raise WorkflowError("year", f"{year} has not begun on {iso(on)}")
        grade, average = self.grade_of(scores)
        tier = self.ctx.config.supervision.of(grade)
        ev_key = f"{uscc.value}/{year}"
        async with self.ctx.store.transaction() as run:
            actor = await self.ctx.actor(run, agency, role)
            self._check_actor(actor)
            await self.ctx.require_subject(run, SubjectRef("institution", uscc.value), "uscc")
            if await run(wq.get("Evaluation"), {"keys": [ev_key]}):
                raise WorkflowError("year", f"{uscc.value} already has an evaluation for {year}")
            row = {
                "ev_key": ev_key,
                "uscc": uscc.value,
                "year": str(year),
                "grade": grade,
                "scores": json.dumps(scores, sort_keys=True),
                "src_agency": actor.agency,
                "src_record": f"workflow:{ev_key}",
            }
            await run(wq.upsert("Evaluation", provenance=True), {"rows": [row], "now": now_stamp()})
            await run(
                wq.EVALUATION_TO_INSTITUTION, {"rows": [{"key": ev_key, "subject_key": uscc.value}]}
            )
            await self.ctx.record(
                run, "evaluation", ev_key, "evaluation.recorded", on, actor, note, detail=grade
            )
        return EvaluationResult(
            ev_key, uscc.value, year, grade, average, tier.tier, tier.inspections_per_year
        )

    async def record_violation(
        self,
        agency: str,
        role: str,
        uscc: Uscc,
        on: dt.date,
        severity: Severity,
        reason: str,
    ) -> Downgrade | None:
        """A violation found after evaluation: lower the grade in force on `on`.

        Returns the downgrade, or None when there is no evaluation in force or the grade
        is already the lowest (the violation is still kept as a credit record).
        """
        reason = need_text("reason", reason)
        if severity not in self.rules.downgrade_steps:
            raise WorkflowError("severity", "must be minor, ordinary or serious")
        async with self.ctx.store.transaction() as run:
            actor = await self.ctx.actor(run, agency, role)
            self._check_actor(actor)
            await self.ctx.require_subject(run, SubjectRef("institution", uscc.value), "uscc")
            credit = {
                "credit_key": new_key("cr"),
                "kind": "violation",
                "subject_kind": "institution",
                "subject_key": uscc.value,
                "agency": actor.agency,
                "on_date": iso(on),
                "note": reason,
                "source_key": "",
            }
            await run(wq.upsert("CreditRecord"), {"rows": [credit]})
            evaluations = await run(wq.EVALUATIONS_OF, {"keys": [uscc.value]})
            current = evaluation_in_force(evaluations, iso(on))
            downgrade: Downgrade | None = None
            if current is not None and current["grade"] != GRADES[-1]:
                steps = self.rules.downgrade_steps[severity]
                lowered = GRADES[min(GRADES.index(current["grade"]) + steps, len(GRADES) - 1)]
                row = {
                    "downgrade_key": new_key("dg"),
                    "uscc": uscc.value,
                    "year": current["year"],
                    "from_grade": current["grade"],
                    "to_grade": lowered,
                    "on_date": iso(on),
                    "agency": actor.agency,
                    "severity": severity,
                    "reason": reason,
                }
                await run(wq.upsert("Downgrade"), {"rows": [row]})
                await run(
                    wq.update("Evaluation", ("grade",)),
                    {"key": current["ev_key"], "grade": lowered},
                )
                await self.ctx.record(
                    run,
                    "evaluation",
                    current["ev_key"],
                    "evaluation.downgraded",
                    on,
                    actor,
                    reason,
                    detail=lowered,
                )
                downgrade = _downgrade(row)
            await self.ctx.record(
                run, "institution", uscc.value, "violation.recorded", on, actor, reason, severity
            )
        return downgrade

    async def downgrades(self, start: dt.date, end: dt.date) -> list[Downgrade]:
        """Downgrades decided in [start, end], for publication (降级情况及时进行公示)."""
        rows = await self.ctx.store.read(
            wq.select("Downgrade", between="on_date"),
            {"first_day": iso(start), "last_day": iso(end)},
        )
        return sorted((_downgrade(r) for r in rows), key=lambda d: (d.on, d.uscc))

    async def supervision_plan(self, year: int) -> list[PlanRow]:
        """Every institution with its tier and inspections for `year`.

        The grade is the one in force during the year (as for sanctions: the latest
        evaluation of that year or the year before); without one, the 'unrated' tier.
        """
        institutions = await self.ctx.store.read(wq.ALL_INSTITUTIONS, {})
        evaluations = await self.ctx.store.read(
            wq.EVALUATIONS_OF_YEARS, {"years": [str(year - 1), str(year)]}
        )
        latest: dict[str, Row] = {}
        for ev in evaluations:
            held = latest.get(ev["uscc"])
            if held is None or int(ev["year"]) > int(held["year"]):
                latest[ev["uscc"]] = ev
        plan = []
        for inst in institutions:
            found = latest.get(inst["uscc"])
            grade = found["grade"] if found else None
            tier = self.ctx.config.supervision.of(grade)
            plan.append(
                PlanRow(
                    uscc=inst["uscc"],
                    name=inst["name"],
                    grade=grade,
                    evaluation_year=int(found["year"]) if found else None,
                    tier=tier.tier,
                    tier_name=tier.name,
                    inspections_per_year=tier.inspections_per_year,
                )
            )
        return sorted(plan, key=lambda p: (p.tier, p.uscc))

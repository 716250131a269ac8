"""Resolvers for the core question: `sanctions` for one subject, `screen` for many."""

from __future__ import annotations

import datetime as dt

from hub.access.subjects import report_subjects
from hub.resolvers.inputs import as_of_or_today, subject_of
from hub.schema.errors import BadInput, require_purpose
from hub.schema.types import Ctx, SanctionReport, SubjectInput


async def sanctions(
    info: Ctx, subject: SubjectInput, purpose: str, as_of: dt.date | None = None
) -> SanctionReport:
    require_purpose(purpose)
    parsed = subject_of(subject)
    report = await info.context.services.sanctions.report(
        parsed, as_of_or_today(as_of), describe=False
    )
    info.context.access.note_subjects(report_subjects(report))
    return SanctionReport.of(report, info)


async def screen(
    info: Ctx, subjects: list[SubjectInput], purpose: str, as_of: dt.date | None = None
) -> list[SanctionReport]:
    require_purpose(purpose)
    limit = info.context.services.settings.screen_max_subjects
    if len(subjects) > limit:
        raise BadInput("subjects", f"at most {limit} subjects per call (got {len(subjects)})")
    parsed = [subject_of(s, f"subjects.{i}") for i, s in enumerate(subjects)]
    reports = await info.context.services.sanctions.screen(
        parsed, as_of_or_today(as_of), describe=False
    )
    for report in reports:
        info.context.access.note_subjects(report_subjects(report))
    return [SanctionReport.of(r, info) for r in reports]

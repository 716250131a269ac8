"""Which subjects an answer discloses, as the keys the access log commits to: USCCs and
persons' graph keys (keyed digests), never an ID number."""

from __future__ import annotations

from collections.abc import Iterator

from hub.sanctions.report import SanctionReport

_SUBJECT_NODES = ("Institution", "Person")


def report_subjects(report: SanctionReport) -> Iterator[str]:
    """The subject asked about, every person and institution on a path, every warning."""
    yield report.subject.key
    for measure in report.measures:
        for step in measure.path:
            if step.type in _SUBJECT_NODES and step.key:
                yield step.key
    for warning in report.warnings:
        yield warning.person_key

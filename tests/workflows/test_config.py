"""The workflow rules file: shipped values, validation, date arithmetic."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pydantic import ValidationError

from hub.workflows.config import add_months, default_config, load_config, period_end


def test_shipped_rules() -> None:
    config = default_config()
    p = config.publicity
    assert (p.minor.min_months, p.minor.max_months) == (0, 3)
    assert (p.ordinary.min_months, p.ordinary.max_months) == (3, 12)
    assert (p.serious.min_months, p.serious.max_months) == (12, 36)
    assert p.period("red", "serious").max_months == 12
    assert config.supervision.of(None).tier == "B"
    assert config.supervision.of("poor").inspections_per_year == 4
    assert config.listing.notice_days["black"] == 10


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("min_months = 3\nmax_months = 12", "min_months = 13\nmax_months = 12", "min_months"),
        ('grade = "pass"           # 合格', 'grade = "poor"', "excellent, pass, poor"),
        ('commitment_template = "CREDIT-REPAIR"', 'commitment_template = "NONE"', "repair"),
        ("serious = 2", "serious = 0", "downgrade_steps"),
    ],
)
def test_invalid_rules_are_refused(tmp_path: Path, old: str, new: str, message: str) -> None:
    text = (Path(__file__).parents[2] / "hub" / "data" / "workflows.toml").read_text("utf-8")
    assert old in text
    path = tmp_path / "workflows.toml"
    path.write_text(text.replace(old, new, 1), "utf-8")
    with pytest.raises(ValidationError, match=message):
        load_config(path)


def test_month_arithmetic() -> None:
    assert add_months(dt.date(2025, 1, 31), 1) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2025, 11, 15), 3) == dt.date(2026, 2, 15)
    assert period_end(dt.date(2025, 3, 24), 12) == dt.date(2026, 3, 23)

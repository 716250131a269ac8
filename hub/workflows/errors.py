"""The one error the workflows raise: which field made a step illegal, and why."""

from __future__ import annotations


class WorkflowError(ValueError):
    """An illegal transition or input. `field` names the argument, `reason` says why.

    Messages never carry a clear ID number: subjects are named by USCC or graph key.
    """

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")

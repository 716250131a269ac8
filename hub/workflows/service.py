"""The workflows behind one object, for the API and the command line.

Every mutating operation is one async method whose first two arguments are the acting
principal's agency code and role (access control decides who may call it; the service
checks what the domain requires: a known agency, the deciding agency or the credit
office for an entry, the enforcing agency kind for feedback) and which raises
WorkflowError(field, reason) on an illegal step. Reads take no principal.
"""

from __future__ import annotations

from pathlib import Path

from hub.graph.cypher_store import CypherStore
from hub.personal_data import Keyring
from hub.sanctions.catalogue import Catalogue, default_catalogue
from hub.workflows.commitments import Commitments
from hub.workflows.config import WorkflowConfig, default_config
from hub.workflows.context import Context, HistoryEvent
from hub.workflows.evaluation import Evaluations
from hub.workflows.feedback import Feedback
from hub.workflows.interviews import Interviews
from hub.workflows.lifecycle import Lifecycle, Lists
from hub.workflows.objections import Objections
from hub.workflows.publication import Publication
from hub.workflows.repair import Repairs
from hub.workflows.statistics import Statistics
from hub.workflows.verification import Statements, StatementSigner


class WorkflowService:
    """evaluations, commitments, lists, objections, repairs, interviews, feedback,
    publication, statements, statistics — and the history of any workflow target."""

    def __init__(
        self,
        store: CypherStore,
        keyring: Keyring,
        secrets_dir: Path,
        config: WorkflowConfig | None = None,
        catalogue: Catalogue | None = None,
    ) -> None:
        self.ctx = Context(
            store, keyring, config or default_config(), catalogue or default_catalogue()
        )
        lifecycle = Lifecycle(self.ctx)
        self.evaluations = Evaluations(self.ctx)
        self.commitments = Commitments(self.ctx)
        self.lists = Lists(self.ctx, lifecycle)
        self.objections = Objections(self.ctx, lifecycle)
        self.repairs = Repairs(self.ctx, lifecycle, self.commitments)
        self.interviews = Interviews(self.ctx)
        self.feedback = Feedback(self.ctx)
        self.publication = Publication(self.ctx, self.evaluations)
        self.statements = Statements(self.ctx, StatementSigner(secrets_dir))
        self.statistics = Statistics(self.ctx)

    @property
    def config(self) -> WorkflowConfig:
        return self.ctx.config

    async def history(self, target_kind: str, target_key: str) -> list[HistoryEvent]:
        """Every recorded step of a list entry, evaluation, commitment, rectification or
        institution, in date order."""
        return await self.ctx.history(target_kind, target_key)

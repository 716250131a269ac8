"""The credit office's and the health commission's workflows over the graph.

Evaluation and tiered supervision, commitments, the list lifecycle with objections and
credit repair, warning interviews, measure feedback, publication, public verification
and statistics. `WorkflowService` is the entry point; every illegal step raises
`WorkflowError(field, reason)`.
"""

from hub.workflows.errors import WorkflowError
from hub.workflows.service import WorkflowService

__all__ = ["WorkflowError", "WorkflowService"]

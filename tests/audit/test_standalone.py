"""The audit package must stand alone: no imports from the hub or other project code."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from .conftest import REPO

FORBIDDEN = {"hub", "connectors", "tests"}


def test_no_project_imports() -> None:
    for path in sorted((REPO / "audit").glob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in FORBIDDEN, f"{path.name} imports {name}"


def test_importing_audit_does_not_load_hub() -> None:
    code = (
        "import sys, audit, audit.cli, audit.verify\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('hub', 'connectors')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path("/"))

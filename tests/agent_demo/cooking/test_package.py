"""The cooking app stands for a user's own app: it imports neither the pipeline nor the
weather agent (nor any other package of this project)."""

from __future__ import annotations

import ast
from pathlib import Path

import agent_demo.cooking

PACKAGE = Path(agent_demo.cooking.__file__).parent
PROJECT_PACKAGES = ("pipeline", "evaluators", "local_llm", "bench", "tests", "agent_demo")


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
    return modules


def test_the_app_imports_only_itself_from_this_project() -> None:
    sources = sorted(PACKAGE.glob("*.py"))
    assert len(sources) >= 5
    outside = {f"{path.name}: {module}" for path in sources for module in imported_modules(path)
               if module.split(".")[0] in PROJECT_PACKAGES
               and not module.startswith("agent_demo.cooking")}
    assert not outside

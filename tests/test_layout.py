"""Guard rails of the layout (issue 9): no module imports from a later step, no import cycles.

The steps follow the data path. ``learned`` is split: the sentence-role model
(``learned.roles``) is read by ``facts`` while extracting, so it comes before ``facts``;
``learned.train`` re-runs the whole analysis (``api.analyse``) to build its data, so it
comes after ``api``. Imports inside functions count (they are real dependencies);
imports under ``if TYPE_CHECKING:`` do not (the package root names ``check`` lazily).
"""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "refcheck"

#: The steps in data-path order; a module may import its own step and earlier ones only.
STEPS: list[tuple[str, ...]] = [
    ("refcheck", "refcheck.errors", "refcheck.paths", "refcheck.contract"),
    ("refcheck.text",),
    ("refcheck.inputs",),
    ("refcheck.nlp",),
    ("refcheck.learned", "refcheck.learned.roles"),
    ("refcheck.facts",),
    ("refcheck.rules",),
    ("refcheck.api", "refcheck.context"),
    ("refcheck.learned.train",),
    ("refcheck.render",),
    ("refcheck.evaluate",),
    ("refcheck.audit",),
    ("refcheck.service",),
    ("refcheck.cli",),
]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def step_of(module: str) -> int:
    best, step = -1, None
    for k, names in enumerate(STEPS):
        for name in names:
            if (module == name or module.startswith(name + ".")) and len(name) > best:
                best, step = len(name), k
    assert step is not None, f"{module} is in no step: add it to STEPS"
    return step


def _is_type_checking(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING" or \
        isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING"


def _imports(module: str) -> set[str]:
    """The refcheck modules ``module`` imports (resolved to module files where they are)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for sub in child.orelse:
                    visit(sub)
                continue
            if isinstance(child, ast.Import):
                found.update(a.name for a in child.names if a.name.split(".")[0] == "refcheck")
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")[: len(package.split(".")) - child.level + 1]
                    target = ".".join(base + ([child.module] if child.module else []))
                else:
                    target = child.module or ""
                if target.split(".")[0] != "refcheck":
                    continue
                for alias in child.names:
                    sub = f"{target}.{alias.name}"
                    found.add(sub if sub in MODULES else target)
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    found.discard(module)
    return {m for m in found if m in MODULES}


GRAPH = {m: _imports(m) for m in MODULES}


def test_every_module_is_in_a_step():
    for module in MODULES:
        step_of(module)


def test_no_module_imports_a_later_step():
    bad = [f"{m} (step {step_of(m)}) imports {t} (step {step_of(t)})"
           for m, targets in GRAPH.items() for t in sorted(targets) if step_of(t) > step_of(m)]
    assert not bad, "\n".join(bad)


def test_no_import_cycles():
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def walk(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for t in sorted(GRAPH[m]):
            if state.get(t) == 1:
                cycles.append(stack[stack.index(t):] + [t])
            elif t not in state:
                walk(t)
        stack.pop()
        state[m] = 2

    for m in sorted(GRAPH):
        if m not in state:
            walk(m)
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_the_graph_is_read():
    assert "refcheck.inputs.fhir" in GRAPH["refcheck.inputs.records"]
    assert "refcheck.learned.roles" in GRAPH["refcheck.facts.components"]
    assert "refcheck.api" in GRAPH["refcheck.learned.train"]  # an import inside a function


def test_no_module_or_function_is_too_long():
    long_modules = [f"{m}: {len(p.read_text().splitlines())}" for m, p in MODULES.items()
                    if len(p.read_text().splitlines()) > 450]
    assert not long_modules
    allowed = {("refcheck.service.app", "create_app")}  # routes are closures over the app (see its comment)
    long_functions = []
    for m, p in MODULES.items():
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and (m, node.name) not in allowed:
                if node.end_lineno - node.lineno + 1 > 80:
                    long_functions.append(f"{m}.{node.name}")
    assert not long_functions


def test_version_does_not_import_spacy():
    code = ("import sys\n"
            "from typer.testing import CliRunner\n"
            "from refcheck.cli import app\n"
            "result = CliRunner().invoke(app, ['--version'])\n"
            "assert result.exit_code == 0 and result.output.startswith('refcheck '), result.output\n"
            "assert 'spacy' not in sys.modules, 'refcheck --version imported spaCy'\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_architecture_doc_names_every_module():
    doc = (PACKAGE.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    missing = [m for m, p in MODULES.items()
               if p.stat().st_size and not m.startswith("refcheck.service") and p.name not in doc]
    assert not missing, f"docs/architecture.md does not list: {missing}"

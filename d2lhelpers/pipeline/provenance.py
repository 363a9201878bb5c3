"""What a notebook's published outputs depend on, as hashes that ``check`` recomputes.

A record (the notebook's ``d2l`` metadata) holds:

* ``code_sha256``: the sources of the code cells, in order;
* ``tags_sha256``: every cell's tags and declared exception (a tag can silence a claim);
* ``outputs_sha256``: every output and the stored widget state (hand edits show);
* ``helpers``: the SHA-256 of each ``d2lhelpers`` function, class or constant the
  notebook can reach: the names its code uses (``d2l.fit``, ``from d2lhelpers
  import ...``) and, transitively, the package definitions those refer to. A change
  to a helper marks exactly the notebooks that can call it as stale;
* ``versions``: d2lhelpers, torch and torchvision (checked against requirements.txt);
* ``provenance_sha256``: one digest over all of the above, the profile and the
  recorded numbers, so that no single field can be edited on its own.

The wall time is kept beside the record but outside the digest: it is the one
thing that changes when an unchanged notebook is executed again.

The helper dependencies are found statically, by reading the package's and the
notebook's syntax trees, rather than by tracing the kernel: tracing would slow
every Python call and so distort the timings the chapters publish. The static
closure over-approximates (a helper named but not called still counts), which
can only mark a notebook stale too often, never too rarely;
``tests/test_provenance.py`` checks it against a trace of real calls.
"""

from __future__ import annotations

import ast
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

PACKAGE = "d2lhelpers"
PACKAGE_DIR = Path(__file__).resolve().parents[1]
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
RAISES_TAG = "raises-exception"


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


# --- the notebook's own content ------------------------------------------------------------

def code_sha256(notebook: Any) -> str:
    """SHA-256 of a notebook's code: the sources of its code cells, in order."""
    digest = hashlib.sha256()
    for cell in notebook.cells:
        if cell.cell_type == "code":
            digest.update(cell.source.strip().encode())
            digest.update(b"\n\x00cell\x00\n")
    return digest.hexdigest()


def declared_exception(cell: Any) -> str | None:
    """The exception a ``raises-exception`` cell declares (cell metadata ``d2l.raises``)."""
    declared = (cell.metadata.get("d2l") or {}).get("raises")
    return str(declared) if declared else None


def tags_sha256(notebook: Any) -> str:
    """SHA-256 of every cell's tags and declared exception, in cell order."""
    return _sha256(_canonical([[sorted(cell.metadata.get("tags", [])), declared_exception(cell)]
                               for cell in notebook.cells]))


def outputs_sha256(notebook: Any) -> str:
    """SHA-256 of every code cell's outputs and execution count, and of the widget state."""
    outputs = [[cell.get("execution_count"), cell.get("outputs", [])]
               for cell in notebook.cells if cell.cell_type == "code"]
    widgets = notebook.metadata.get("widgets", {})
    return _sha256(_canonical([outputs, widgets]))


# --- which helpers a notebook depends on ---------------------------------------------------

@dataclass
class Definition:
    """One top-level function, class or constant of the package."""

    name: str                     # qualified: d2lhelpers.training.fit
    source: str
    refers_to: set[str] = field(default_factory=set)


def _module_name(path: Path, package_dir: Path) -> str:
    parts = path.relative_to(package_dir.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve_relative(module: str, is_package: bool, level: int, target: str | None) -> str:
    base = module.split(".") if is_package else module.split(".")[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join(base + ([target] if target else []))


def _imports(tree: ast.Module, module: str, is_package: bool) -> dict[str, str]:
    """Local names bound by the module's imports of the package -> qualified names."""
    bound: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            source = (_resolve_relative(module, is_package, node.level, node.module)
                      if node.level else node.module or "")
            if source == PACKAGE or source.startswith(PACKAGE + "."):
                for alias in node.names:
                    bound[alias.asname or alias.name] = f"{source}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == PACKAGE or alias.name.startswith(PACKAGE + "."):
                    if alias.asname:
                        bound[alias.asname] = alias.name
                    else:
                        bound[PACKAGE] = PACKAGE
    return bound


def _dotted(node: ast.AST) -> str | None:
    """``a.b.c`` for a chain of attribute accesses on a name, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *reversed(parts)])
    return None


def _references(nodes: Iterable[ast.AST], bound: dict[str, str]) -> set[str]:
    """Qualified package names that the code under ``nodes`` mentions."""
    found: set[str] = set()
    for top in nodes:
        for node in ast.walk(top):
            if isinstance(node, (ast.Attribute, ast.Name)):
                dotted = _dotted(node)
                if dotted is None:
                    continue
                head, _, rest = dotted.partition(".")
                if head in bound:
                    found.add(bound[head] + ("." + rest if rest else ""))
    return found


@lru_cache(maxsize=4)
def package_definitions(package_dir: Path = PACKAGE_DIR) -> dict[str, Definition]:
    """Every top-level definition of the learner-facing package, with what it refers to.

    The pipeline itself (this subpackage) is left out: notebooks never call it.
    """
    definitions: dict[str, Definition] = {}
    for path in sorted(package_dir.rglob("*.py")):
        if "pipeline" in path.relative_to(package_dir).parts:
            continue
        module = _module_name(path, package_dir)
        text = path.read_text()
        tree = ast.parse(text)
        bound = _imports(tree, module, path.name == "__init__.py")
        local = {}
        for node in tree.body:
            names: list[str] = []
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names = [node.name]
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names = [t.id for t in targets if isinstance(t, ast.Name)]
            if not names:
                continue
            first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            source = "\n".join(text.splitlines()[first - 1:node.end_lineno])
            for name in names:
                local[name] = (node, source)
        scope = {**bound, **{name: f"{module}.{name}" for name in local}}
        for name, (node, source) in local.items():
            refers = _references([node], scope) - {f"{module}.{name}"}
            definitions[f"{module}.{name}"] = Definition(f"{module}.{name}", source, refers)
        for name, target in bound.items():  # re-exports: d2lhelpers.fit -> d2lhelpers.training.fit
            qualified = f"{module}.{name}"
            if qualified not in definitions and target != qualified:
                definitions[qualified] = Definition(qualified, "", {target})
    return definitions


def _resolve(name: str, definitions: dict[str, Definition]) -> str | None:
    """The longest prefix of ``name`` that is a definition (``d2l.History.summary`` -> History)."""
    parts = name.split(".")
    for end in range(len(parts), 1, -1):
        candidate = ".".join(parts[:end])
        if candidate in definitions:
            return candidate
    return None


def _cell_trees(sources: Iterable[str]) -> Iterator[ast.Module]:
    for source in sources:
        # IPython magics and shell escapes are not Python: blank them out, keeping line numbers.
        lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
        try:
            yield ast.parse("\n".join(lines))
        except SyntaxError:
            continue


def helper_dependencies(sources: Iterable[str], package_dir: Path = PACKAGE_DIR) -> dict[str, str]:
    """The package definitions that code ``sources`` can reach, name -> SHA-256 of the source.

    Entry points are the package names the code mentions; then every
    definition they refer to, transitively. Re-exports (``d2lhelpers.fit``)
    resolve to the definition they name and are not listed themselves.
    """
    definitions = package_definitions(Path(package_dir))
    trees = list(_cell_trees(sources))
    bound: dict[str, str] = {}
    for tree in trees:
        bound.update(_imports(tree, "__main__", False))
    pending = sorted(_references(trees, bound))
    reached: dict[str, str] = {}
    seen: set[str] = set()
    while pending:
        name = _resolve(pending.pop(), definitions)
        if name is None or name in seen:
            continue
        seen.add(name)
        definition = definitions[name]
        if definition.source:
            reached[name] = _sha256(definition.source)
        pending.extend(sorted(definition.refers_to))
    return dict(sorted(reached.items()))


def notebook_helpers(notebook: Any) -> dict[str, str]:
    """:func:`helper_dependencies` of a notebook's code cells."""
    return helper_dependencies(cell.source for cell in notebook.cells if cell.cell_type == "code")


# --- the record ----------------------------------------------------------------------------

DIGESTED = ("profile", "records", "versions", "code_sha256", "tags_sha256", "outputs_sha256", "helpers")


def provenance_sha256(record: dict[str, Any]) -> str:
    """One digest over every field of the record that outputs depend on (not the wall time)."""
    return _sha256(_canonical({key: record.get(key) for key in DIGESTED}))


def build_record(notebook: Any, *, profile: str, records: dict[str, float],
                 versions: dict[str, str], wall_time_s: float, machine: str) -> dict[str, Any]:
    """The ``d2l`` metadata for an executed ``notebook``."""
    record = {
        "profile": profile,
        "records": dict(sorted(records.items())),
        "versions": dict(sorted(versions.items())),
        "code_sha256": code_sha256(notebook),
        "tags_sha256": tags_sha256(notebook),
        "outputs_sha256": outputs_sha256(notebook),
        "helpers": notebook_helpers(notebook),
    }
    record["provenance_sha256"] = provenance_sha256(record)
    record["wall_time_s"] = round(float(wall_time_s), 1)
    record["machine"] = machine
    return record


# --- deterministic widget ids --------------------------------------------------------------

def renumber_widgets(notebook: Any, salt: str) -> int:
    """Replace the random widget model ids of ``notebook`` by ids that depend only on content order.

    ipywidgets gives every model a fresh uuid4, so re-executing an unchanged
    notebook would rewrite every widget line. Ids are renumbered in the order
    the outputs show them, then in the order the stored state refers to the
    rest; each new id is a SHA-256 of ``salt`` and that position, in the same
    32-hex-digit form. Returns how many ids were renumbered.
    """
    state = (notebook.metadata.get("widgets", {}).get(WIDGET_STATE, {}) or {}).get("state", {})
    order: list[str] = []

    def visit(model_id: str) -> None:
        if model_id in order:
            return
        order.append(model_id)
        text = _canonical(state.get(model_id, {}))
        for referenced in _referenced_ids(text):
            if referenced in state:
                visit(referenced)

    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view and view.get("model_id"):
                visit(view["model_id"])
    for model_id in sorted(state, key=lambda m: _canonical(_masked(state[m]))):
        visit(model_id)
    mapping = {old: _sha256(f"{salt}:{i}")[:32] for i, old in enumerate(order)}
    if not mapping:
        return 0
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view and view.get("model_id") in mapping:
                view["model_id"] = mapping[view["model_id"]]
    if state:
        renamed = {}
        for old, model in state.items():
            text = _canonical(model)
            for referenced in set(_referenced_ids(text)) & set(mapping):
                text = text.replace(f"IPY_MODEL_{referenced}", f"IPY_MODEL_{mapping[referenced]}")
            renamed[mapping.get(old, old)] = json.loads(text)
        notebook.metadata["widgets"][WIDGET_STATE]["state"] = dict(sorted(renamed.items()))
    return len(mapping)


def _referenced_ids(text: str) -> list[str]:
    ids, start = [], 0
    while (found := text.find("IPY_MODEL_", start)) != -1:
        start = found + len("IPY_MODEL_")
        end = start
        while end < len(text) and (text[end].isalnum() or text[end] in "-_"):
            end += 1
        ids.append(text[start:end])
    return ids


def _masked(model: Any) -> Any:
    text = _canonical(model)
    for referenced in _referenced_ids(text):
        text = text.replace(f"IPY_MODEL_{referenced}", "IPY_MODEL_")
    return json.loads(text)

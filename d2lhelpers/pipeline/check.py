"""``d2l-notebooks check``: everything that makes a committed notebook untrustworthy."""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path
from typing import Any

from .. import __version__
from .project import SETUP_TAG, canonical_setup_source, installed_versions, pinned_versions
from .provenance import (
    RAISES_TAG, code_sha256, declared_exception, notebook_helpers, outputs_sha256,
    provenance_sha256, tags_sha256,
)

PUBLISHED_PROFILES = ("cpu", "gpu")
WARNING_MARKERS = ("Warning:", "Traceback (most recent call last)", "Error:")
RECORDED_LINE = re.compile(r"^Recorded: (.*)$", re.MULTILINE)
SETUP_LINE = re.compile(r"^profile (\w+) \|", re.MULTILINE)


def _stream_text(cell: Any) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.output_type == "stream")


def printed_records(notebook: Any) -> dict[str, str]:
    """``name -> printed value`` of every ``Recorded:`` line in the outputs."""
    printed: dict[str, str] = {}
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        for line in RECORDED_LINE.findall(_stream_text(cell)):
            for pair in line.split(", "):
                name, _, value = pair.partition(" = ")
                printed[name.strip()] = value.strip()
    return printed


def claims_in(source: str) -> list[str]:
    """The ``assert`` statements and ``record(...)`` calls of a cell's source."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assert):
            found.append("an assert")
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name == "record":
                found.append("a record(...) call")
    return found


def _raising_cell_problems(where: str, cell: Any) -> list[str]:
    tagged = RAISES_TAG in cell.metadata.get("tags", [])
    declared = declared_exception(cell)
    if not tagged:
        return [f"{where}: declares d2l.raises={declared!r} but is not tagged {RAISES_TAG!r}"] if declared else []
    problems = []
    if not declared:
        problems.append(f"{where}: tagged {RAISES_TAG!r} without declaring which exception it shows; "
                        "set the cell metadata {\"d2l\": {\"raises\": \"TypeError\"}} (the expected class)")
    errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
    if declared and [o.ename for o in errors] != [declared]:
        shown = ", ".join(o.ename for o in errors) or "no error"
        problems.append(f"{where}: declares it raises {declared} but its output shows {shown}")
    for claim in claims_in(cell.source):
        problems.append(f"{where}: a {RAISES_TAG!r} cell may not hold {claim}: the tag would "
                        "silence it; move it to a cell of its own")
    return problems


def check_notebook(path: Path, root: Path | None = None) -> list[str]:
    """Everything wrong with a committed notebook; an empty list when it is good.

    Recomputes the provenance record (code, tags, outputs, helpers, versions)
    and compares it with the one stored at execution; checks the published
    profile, that printed profile and ``Recorded:`` lines agree with the
    metadata, that every code cell ran without an error, a traceback or a
    warning, that ``raises-exception`` cells show exactly the exception they
    declare and hold no claim, and, given the repository ``root``, that the
    first cell is the canonical setup cell and the versions are the pinned ones.
    """
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    name = path.name
    fix = f"re-run `d2l-notebooks execute {os.path.relpath(path)}`"
    meta = notebook.metadata.get("d2l")
    if not meta:
        return [f"{name}: never executed by the pipeline; {fix}"]
    problems: list[str] = []
    if meta.get("profile") not in PUBLISHED_PROFILES:
        problems.append(f"{name}: outputs come from the {meta.get('profile')!r} profile, "
                        f"not cpu or gpu; {fix}")
    if meta.get("code_sha256") != code_sha256(notebook):
        problems.append(f"{name}: stale outputs, the code changed after it was executed; {fix}")
    if meta.get("tags_sha256") != tags_sha256(notebook):
        problems.append(f"{name}: cell tags changed after it was executed; {fix}")
    if meta.get("outputs_sha256") != outputs_sha256(notebook):
        problems.append(f"{name}: the outputs were edited after execution (they are not what the "
                        f"code printed); {fix}")
    recorded_helpers, current = meta.get("helpers", {}), notebook_helpers(notebook)
    if recorded_helpers != current:
        changed = sorted(k for k in set(recorded_helpers) | set(current)
                         if recorded_helpers.get(k) != current.get(k))
        shown = ", ".join(changed[:6]) + (f" and {len(changed) - 6} more" if len(changed) > 6 else "")
        problems.append(f"{name}: stale outputs, helpers it calls changed since it was executed "
                        f"({shown}); {fix}")
    if meta.get("provenance_sha256") != provenance_sha256(meta):
        problems.append(f"{name}: the d2l metadata was edited by hand (provenance digest mismatch); {fix}")
    problems += _version_problems(name, meta.get("versions", {}), root, fix)
    problems += _printed_problems(notebook, name, meta, fix)
    if root is not None:
        first = notebook.cells[0] if notebook.cells else None
        if (first is None or first.cell_type != "code"
                or first.source != canonical_setup_source(root)
                or SETUP_TAG not in first.metadata.get("tags", [])):
            problems.append(f"{name}: the first cell is not the canonical setup cell tagged "
                            f"{SETUP_TAG!r}; run `d2l-notebooks sync-setup`, then execute it")
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        where = f"{name}, cell {index}"
        if cell.get("execution_count") is None:
            problems.append(f"{where}: not executed; {fix}")
        problems += _raising_cell_problems(where, cell)
        may_raise = RAISES_TAG in cell.metadata.get("tags", [])
        for output in cell.get("outputs", []):
            if output.output_type == "error" and not may_raise:
                problems.append(f"{where}: error {output.ename}: {output.evalue}")
            if output.output_type == "stream":
                text = output.text
                if any(marker in text for marker in WARNING_MARKERS) and not may_raise:
                    problems.append(f"{where}: {output.name} shows {text.strip().splitlines()[-1]!r}")
    return problems


def _version_problems(name: str, versions: dict[str, str], root: Path | None, fix: str) -> list[str]:
    problems = []
    if versions.get("d2lhelpers") != __version__:
        problems.append(f"{name}: executed with d2lhelpers {versions.get('d2lhelpers')}, "
                        f"this checkout is {__version__}; {fix}")
    if root is not None:
        for package, pinned in pinned_versions(root).items():
            if versions.get(package) != pinned:
                problems.append(f"{name}: executed with {package} {versions.get(package)}, but "
                                f"requirements.txt pins {pinned}; install the pins and {fix[3:]}")
    return problems


def _printed_problems(notebook: Any, name: str, meta: dict[str, Any], fix: str) -> list[str]:
    problems = []
    setup = notebook.cells[0] if notebook.cells and notebook.cells[0].cell_type == "code" else None
    shown = SETUP_LINE.findall(_stream_text(setup)) if setup is not None else []
    if setup is not None and setup.source.startswith("# Setup") and shown != [meta.get("profile")]:
        problems.append(f"{name}: the setup cell printed profile {', '.join(shown) or 'nothing'}, "
                        f"the metadata says {meta.get('profile')!r}; {fix}")
    printed = printed_records(notebook)
    recorded = {key: f"{value:.4g}" for key, value in meta.get("records", {}).items()}
    if printed != recorded:
        differ = sorted(k for k in set(printed) | set(recorded) if printed.get(k) != recorded.get(k))
        problems.append(f"{name}: printed Recorded: lines disagree with the metadata for "
                        f"{', '.join(differ)}; {fix}")
    return problems


def check_environment(root: Path) -> list[str]:
    """Why this machine cannot produce publishable outputs (installed vs pinned versions)."""
    installed, pinned = installed_versions(), pinned_versions(root)
    return [f"{package} {installed[package]} is installed, but requirements.txt pins {pinned[package]}: "
            "run `pip install -r requirements.txt` before executing notebooks"
            for package in pinned if installed.get(package) != pinned[package]]

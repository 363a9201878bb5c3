"""The book's repository as the pipeline sees it: its root, its configuration, its notebooks."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from .. import __version__

SETUP_TAG = "hide-cell"
CHAPTERS = "chapters"
PINNED_PACKAGES = ("torch", "torchvision")


class ProjectError(RuntimeError):
    """The pipeline was pointed at something that is not part of the book's repository."""


def project_root(start: Path | None = None) -> Path:
    """The folder above ``start`` (default: the working folder) holding ``_config.yml``."""
    here = (start or Path.cwd()).resolve()
    for folder in [here, *here.parents]:
        if (folder / "_config.yml").is_file():
            return folder
    raise FileNotFoundError(
        f"No _config.yml in {here} or above: run this from the book's repository.")


def _config(root: Path) -> dict[str, Any]:
    import yaml

    return yaml.safe_load((root / "_config.yml").read_text()) or {}


def repository_url(root: Path) -> str:
    """The repository URL, from the one place it is written: ``_config.yml``."""
    try:
        return str(_config(root)["repository"]["url"]).rstrip("/")
    except (KeyError, TypeError):
        raise ValueError(f"{root / '_config.yml'} has no repository: url: entry.") from None


def repository_branch(root: Path) -> str:
    """The branch the book's launch buttons open (``_config.yml``'s ``repository: branch:``)."""
    repository = _config(root).get("repository") or {}
    return str(repository.get("branch") or "main")


def pinned_versions(root: Path) -> dict[str, str]:
    """The exact versions ``requirements.txt`` pins for torch and torchvision."""
    text = (root / "requirements.txt").read_text()
    pins = {}
    for name in PINNED_PACKAGES:
        found = re.search(rf"^{name}==([^\s;#]+)", text, flags=re.MULTILINE)
        if not found:
            raise ProjectError(f"requirements.txt pins no exact {name} version ({name}==X.Y.Z).")
        pins[name] = found.group(1)
    return pins


def installed_versions() -> dict[str, str]:
    """The torch and torchvision releases installed here (local build tags such as +cu128 dropped)."""
    from importlib.metadata import version

    return {name: version(name).split("+")[0] for name in PINNED_PACKAGES}


@lru_cache(maxsize=1)
def course_data() -> dict[str, Any]:
    """The course data the generated pages use (``course.json`` beside this module)."""
    return json.loads((Path(__file__).with_name("course.json")).read_text(encoding="utf-8"))


def notebooks_under(paths: list[str] | None, root: Path) -> list[Path]:
    """The notebooks named, or every ``*.ipynb`` under ``chapters/``, sorted.

    Raises:
        FileNotFoundError: a path is neither a notebook nor a folder.
        ProjectError: a notebook lies outside ``root``, the book's repository.
    """
    if not paths:
        paths = [str(root / CHAPTERS)]
    found: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found += [p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts]
        elif path.suffix == ".ipynb" and path.is_file():
            found.append(path)
        else:
            raise FileNotFoundError(f"{given} is neither a notebook nor a folder of notebooks.")
    resolved = sorted(p.resolve() for p in found)
    outside = [p for p in resolved if not p.is_relative_to(root.resolve())]
    if outside:
        raise ProjectError(
            f"{outside[0]} is outside the book's repository {root}: the pipeline executes and "
            "checks only the book's own notebooks. Copy it under chapters/ and add it to _toc.yml.")
    return resolved


def setup_cell_source(repo_url: str, branch: str = "main", version: str = __version__) -> str:
    """The canonical first cell of every chapter notebook.

    On Colab it installs the helpers from ``branch``, the branch the Colab
    button opens the notebook from, so that the notebook and the helpers come
    from the same revision of the repository.
    """
    return (
        "# Setup (hidden on the website). On Colab: install the course helpers from the\n"
        "# branch this notebook was opened from. Everywhere: import, seed, pick the profile.\n"
        "import sys\n"
        "\n"
        "if \"google.colab\" in sys.modules:\n"
        "    import subprocess\n"
        "\n"
        "    subprocess.run([sys.executable, \"-m\", \"pip\", \"install\", \"--quiet\", \"--upgrade\",\n"
        f"                    \"git+{repo_url}@{branch}\"], check=True)\n"
        "\n"
        "import d2lhelpers as d2l\n"
        "\n"
        f"d2l.check_version(\"{version}\")\n"
        "PROFILE = d2l.setup_notebook(seed=0)"
    )


def canonical_setup_source(root: Path) -> str:
    """The setup cell this repository's notebooks must start with."""
    return setup_cell_source(repository_url(root), repository_branch(root))


def sync_setup_cell(path: Path, source: str) -> bool:
    """Make the first cell the setup cell ``source``; returns whether the file changed."""
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    first = notebook.cells[0] if notebook.cells else None
    if first is not None and first.cell_type == "code" and first.source.startswith("# Setup"):
        if first.source == source and SETUP_TAG in first.metadata.get("tags", []):
            return False
        first.source = source
        first.metadata["tags"] = sorted(set(first.metadata.get("tags", [])) | {SETUP_TAG})
    else:
        notebook.cells.insert(0, nbformat.v4.new_code_cell(source, metadata={"tags": [SETUP_TAG]}))
    nbformat.write(notebook, path)
    return True

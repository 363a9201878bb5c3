"""The notebook pipeline: execute chapters in a profile, record what made them, check them.

Command line (installed as ``d2l-notebooks``, or ``python -m d2lhelpers.pipeline``)::

    d2l-notebooks execute                    # every notebook under chapters/, cpu profile
    d2l-notebooks execute chapters/01-data.ipynb --profile gpu
    d2l-notebooks check                      # stale, unexecuted, erroring or warning outputs
    d2l-notebooks sync-setup                 # rewrite every notebook's setup cell
    d2l-notebooks pages                      # regenerate results.md and glossary.md

``execute`` writes the outputs back with the widget state and stores in the
notebook metadata, under ``d2l``: the SHA-256 of its code cells, the profile,
the wall time, the numbers the notebook passed to :func:`d2lhelpers.record`,
and the versions that produced it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from . import __version__
from .profiles import check_profile

PUBLISHED_PROFILES = ("cpu", "gpu")
SETUP_TAG = "hide-cell"
RAISES_TAG = "raises-exception"
WARNING_MARKERS = ("Warning:", "Traceback (most recent call last)", "Error:")
RESULTS_PAGE = "results.md"
GLOSSARY_PAGE = "glossary.md"
KEY_TERMS_HEADING = "## Key terms"
# Terms of the landing page (intro.md), which has no Key terms table of its own.
INTRO_TERMS = (("深度学习", "deep learning"), ("神经网络", "neural network"),
               ("特征提取", "feature extraction"), ("点击率预测", "click-through-rate prediction"))

# What the executed d2l notebooks report (V100, 10 epochs, unseeded; COURSE.md),
# by chapter file stem and recorded name.
D2L_REFERENCE: dict[str, dict[str, str]] = {
    "06_softmax_regression": {"test_acc": "0.83"},
    "07_mlp": {"test_acc": "0.82-0.84"},
    "09_weight_decay": {"w_norm_no_decay": "13.0", "w_norm_decay": "0.36"},
    "10_dropout": {"test_acc": "0.84-0.86"},
    "16_lenet": {"test_acc": "0.78-0.79"},
}


def project_root(start: Path | None = None) -> Path:
    """The folder above ``start`` (default: the working folder) holding ``_config.yml``."""
    here = (start or Path.cwd()).resolve()
    for folder in [here, *here.parents]:
        if (folder / "_config.yml").is_file():
            return folder
    raise FileNotFoundError(
        f"No _config.yml in {here} or above: run this from the book's repository.")


def repository_url(root: Path) -> str:
    """The repository URL, from the one place it is written: ``_config.yml``."""
    import yaml

    config = yaml.safe_load((root / "_config.yml").read_text())
    try:
        return str(config["repository"]["url"]).rstrip("/")
    except (KeyError, TypeError):
        raise ValueError(f"{root / '_config.yml'} has no repository: url: entry.") from None


def setup_cell_source(repo_url: str, version: str = __version__) -> str:
    """The canonical first cell of every chapter notebook."""
    return (
        "# Setup (hidden on the website). On Colab: install the course helpers at the\n"
        "# release this notebook was executed with. Everywhere: import, seed, pick the profile.\n"
        "import sys\n"
        "\n"
        "if \"google.colab\" in sys.modules:\n"
        "    import subprocess\n"
        "\n"
        "    subprocess.run([sys.executable, \"-m\", \"pip\", \"install\", \"--quiet\",\n"
        f"                    \"git+{repo_url}@v{version}\"], check=True)\n"
        "\n"
        "import d2lhelpers as d2l\n"
        "\n"
        f"d2l.check_version(\"{version}\")\n"
        "PROFILE = d2l.setup_notebook(seed=0)"
    )


def code_sha256(notebook: Any) -> str:
    """SHA-256 of a notebook's code: the sources of its code cells, in order."""
    digest = hashlib.sha256()
    for cell in notebook.cells:
        if cell.cell_type == "code":
            digest.update(cell.source.strip().encode())
            digest.update(b"\n\x00cell\x00\n")
    return digest.hexdigest()


def notebooks_under(paths: list[str] | None, root: Path) -> list[Path]:
    """The notebooks named, or every ``*.ipynb`` under ``chapters/``, sorted."""
    if not paths:
        paths = [str(root / "chapters")]
    found: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found += [p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts]
        elif path.suffix == ".ipynb" and path.is_file():
            found.append(path)
        else:
            raise FileNotFoundError(f"{given} is neither a notebook nor a folder of notebooks.")
    return sorted(p.resolve() for p in found)


def execute_notebook(path: Path, profile: str = "cpu", timeout: int = 1800) -> dict[str, Any]:
    """Run every cell of ``path`` in ``profile`` and write the outputs back.

    Cells tagged ``raises-exception`` may raise; any other error stops the run
    and leaves the file untouched. Returns the ``d2l`` metadata written.
    """
    import nbformat
    from nbclient import NotebookClient

    profile = check_profile(profile)
    notebook = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as scratch:
        record_file = Path(scratch) / "records.json"
        overrides = {"D2L_PROFILE": profile, "D2L_RECORD_FILE": str(record_file),
                     "TQDM_DISABLE": "1", "PYTHONWARNINGS": "default"}
        saved = {key: os.environ.get(key) for key in overrides}
        os.environ.update(overrides)
        started = time.perf_counter()
        try:
            client = NotebookClient(
                notebook, timeout=timeout, kernel_name="python3", store_widget_state=True,
                record_timing=False, resources={"metadata": {"path": str(path.parent)}})
            client.execute()
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        wall = time.perf_counter() - started
        records = json.loads(record_file.read_text()) if record_file.is_file() else {}
    import torch

    metadata = {
        "profile": profile,
        "code_sha256": code_sha256(notebook),
        "wall_time_s": round(wall, 1),
        "records": records,
        "d2lhelpers": __version__,
        "torch": torch.__version__,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs"
                   + (f", {torch.cuda.get_device_name(0)}" if torch.cuda.is_available() else ""),
    }
    notebook.metadata["d2l"] = metadata
    nbformat.write(notebook, path)
    return metadata


def check_notebook(path: Path, repo_url: str | None = None) -> list[str]:
    """Everything wrong with a committed notebook; an empty list when it is good.

    Checks that it was executed by the pipeline in a published profile, that
    its code has not changed since, that every code cell ran, that no output
    holds an error, a traceback or a warning (except in cells tagged
    ``raises-exception``), and, given ``repo_url``, that its first cell is the
    canonical setup cell.
    """
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    name = path.name
    problems: list[str] = []
    fix = f"re-run `d2l-notebooks execute {os.path.relpath(path)}`"
    meta = notebook.metadata.get("d2l")
    if not meta:
        return [f"{name}: never executed by the pipeline; {fix}"]
    if meta.get("profile") not in PUBLISHED_PROFILES:
        problems.append(f"{name}: outputs come from the {meta.get('profile')!r} profile, "
                        f"not cpu or gpu; {fix}")
    if meta.get("code_sha256") != code_sha256(notebook):
        problems.append(f"{name}: stale outputs, the code changed after it was executed; {fix}")
    if repo_url is not None:
        first = notebook.cells[0] if notebook.cells else None
        if (first is None or first.cell_type != "code"
                or first.source != setup_cell_source(repo_url)
                or SETUP_TAG not in first.metadata.get("tags", [])):
            problems.append(f"{name}: the first cell is not the canonical setup cell tagged "
                            f"{SETUP_TAG!r}; run `d2l-notebooks sync-setup`, then execute it")
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        where = f"{name}, cell {index}"
        if cell.get("execution_count") is None:
            problems.append(f"{where}: not executed; {fix}")
        may_raise = RAISES_TAG in cell.metadata.get("tags", [])
        for output in cell.get("outputs", []):
            if output.output_type == "error" and not may_raise:
                problems.append(f"{where}: error {output.ename}: {output.evalue}")
            if output.output_type == "stream":
                text = output.text
                if any(marker in text for marker in WARNING_MARKERS) and not may_raise:
                    problems.append(f"{where}: {output.name} shows {text.strip().splitlines()[-1]!r}")
    return problems


def sync_setup_cell(path: Path, repo_url: str) -> bool:
    """Make the first cell the canonical setup cell; returns whether the file changed."""
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    source = setup_cell_source(repo_url)
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


def _title(notebook: Any, fallback: str) -> str:
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def results_page(paths: list[Path], root: Path) -> str:
    """The results page: every chapter's recorded numbers and time, beside d2l's."""
    import nbformat

    lines = [
        "# Results (结果)",
        "",
        "Every number on this page was measured by a chapter notebook and recorded in its",
        "metadata when `d2l-notebooks execute` ran it; this page is generated from those",
        "records (`d2l-notebooks pages`), and a test fails when it is out of date. The",
        "d2l column gives what the executed *Dive into Deep Learning* notebooks report",
        "(V100 GPU, unseeded), where the chapter repeats one of its experiments.",
        "",
        "| chapter | profile | wall time (s) | measured | d2l |",
        "|---|---|---|---|---|",
    ]
    machines: set[str] = set()
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        meta = notebook.metadata.get("d2l", {})
        machines.add(meta.get("machine", ""))
        reference = D2L_REFERENCE.get(path.stem, {})
        records = meta.get("records", {})
        measured = "<br>".join(f"`{k}` = {v:.4g}" for k, v in sorted(records.items())) or "-"
        d2l = "<br>".join(f"`{k}` = {v}" for k, v in reference.items()) or "-"
        link = path.relative_to(root).as_posix()
        lines.append(f"| [{_title(notebook, path.stem)}]({link}) | {meta.get('profile', 'not executed')} "
                     f"| {meta.get('wall_time_s', '-')} | {measured} | {d2l} |")
    machines.discard("")
    lines += ["", "Machines: " + "; ".join(sorted(machines)) + "." if machines else ""]
    return "\n".join(lines).rstrip() + "\n"


def key_terms(notebook: Any) -> list[tuple[str, str]]:
    """The (Chinese, English) rows of the table under a notebook's ``## Key terms`` heading.

    The heading may start a markdown cell or stand inside one (after the summary,
    say); the table is the run of ``|`` lines that follows it.
    """
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        lines = cell.source.splitlines()
        starts = [i for i, line in enumerate(lines) if line.strip().startswith(KEY_TERMS_HEADING)]
        if not starts:
            continue
        table: list[list[str]] = []
        for line in lines[starts[0] + 1:]:
            if line.strip().startswith("|"):
                table.append(line.strip().strip("|").split("|"))
            elif table or line.startswith("#"):
                break
        return [(zh.strip(), en.strip()) for zh, en, *_ in table[2:] if zh.strip()]
    return []


def glossary_page(paths: list[Path], root: Path) -> str:
    """The glossary: every chapter's key terms, zh beside en, with the chapters using them."""
    import nbformat

    entries: dict[tuple[str, str], list[str]] = {pair: ["introduction"] for pair in INTRO_TERMS}
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        link = f"[{path.stem.split('_')[0].lstrip('0')}]({path.relative_to(root).as_posix()})"
        for pair in key_terms(notebook):
            entries.setdefault(pair, []).append(link)
    lines = [
        "# Glossary (术语表)",
        "",
        "The Chinese terms of the notes and the English ones used in this book, gathered",
        "from the *Key terms* table at the end of each chapter (`d2l-notebooks pages`",
        "regenerates this page), in the order the chapters introduce them.",
        "",
        "| 中文 | English | chapters |",
        "|---|---|---|",
    ]
    lines += [f"| {zh} | {en} | {', '.join(where)} |" for (zh, en), where in entries.items()]
    return "\n".join(lines) + "\n"


def write_generated_pages(root: Path) -> list[Path]:
    """Regenerate ``results.md`` and ``glossary.md`` from the chapter notebooks."""
    paths = notebooks_under(None, root)
    written = []
    for name, render in ((RESULTS_PAGE, results_page), (GLOSSARY_PAGE, glossary_page)):
        target = root / name
        target.write_text(render(paths, root))
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="d2l-notebooks", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("execute", help="execute notebooks and write their outputs back")
    run.add_argument("paths", nargs="*", help="notebooks or folders (default: chapters/)")
    run.add_argument("--profile", default="cpu", help="smoke, cpu or gpu (default: cpu)")
    run.add_argument("--timeout", type=int, default=1800, help="seconds per cell")
    check = commands.add_parser("check", help="list stale or broken committed notebooks")
    check.add_argument("paths", nargs="*")
    sync = commands.add_parser("sync-setup", help="rewrite the setup cell of notebooks")
    sync.add_argument("paths", nargs="*")
    commands.add_parser("pages", help=f"regenerate {RESULTS_PAGE} and {GLOSSARY_PAGE} from the notebooks")
    args = parser.parse_args(argv)

    root = project_root()
    if args.command == "pages":
        for page in write_generated_pages(root):
            print(f"wrote {page.relative_to(root)}")
        return 0
    paths = notebooks_under(args.paths, root)
    if args.command == "execute":
        profile = check_profile(args.profile)
        for path in paths:
            print(f"executing {path.relative_to(root)} in the {profile} profile ...", flush=True)
            meta = execute_notebook(path, profile, args.timeout)
            print(f"  {meta['wall_time_s']} s, recorded {meta['records']}", flush=True)
        for page in write_generated_pages(root):
            print(f"wrote {page.relative_to(root)}")
        return 0
    if args.command == "sync-setup":
        url = repository_url(root)
        for path in paths:
            if sync_setup_cell(path, url):
                print(f"updated the setup cell of {path.relative_to(root)}")
        return 0
    url = repository_url(root)
    problems = [problem for path in paths for problem in check_notebook(path, url)]
    print("\n".join(problems) if problems else f"{len(paths)} notebooks are up to date.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

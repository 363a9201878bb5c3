"""``d2l-notebooks execute``: run a notebook in a profile and record what produced its outputs."""

from __future__ import annotations

import json
import os
import platform
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from .. import __version__
from ..profiles import check_profile
from .project import ProjectError, installed_versions, pinned_versions, project_root
from .provenance import build_record, renumber_widgets

DATA_DIR_ENV = "D2L_DATA_DIR"


def absolute_data_dir(environ: dict[str, str] | os._Environ = os.environ,
                      base: Path | None = None) -> str | None:
    """``$D2L_DATA_DIR`` made absolute against ``base`` (default: the working folder).

    Kernels start in the notebook's folder (``chapters/``), so a relative data
    root such as ``../shared/data`` must be resolved where it was given, before
    any kernel starts. Returns ``None`` when the variable is unset.
    """
    given = environ.get(DATA_DIR_ENV, "").strip()
    if not given:
        return None
    path = Path(given).expanduser()
    return str(path if path.is_absolute() else ((base or Path.cwd()) / path).resolve())


@contextmanager
def _environment(overrides: dict[str, str]) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in overrides}
    os.environ.update(overrides)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _machine() -> str:
    import torch

    gpu = f", {torch.cuda.get_device_name(0)}" if torch.cuda.is_available() else ""
    return f"{platform.machine()}, {os.cpu_count()} CPUs{gpu}"


def execute_notebook(path: Path, profile: str = "cpu", timeout: int = 1800,
                     root: Path | None = None) -> dict[str, Any]:
    """Run every cell of ``path`` in ``profile`` and write the outputs back with their record.

    Cells tagged ``raises-exception`` may raise; any other error stops the run
    and leaves the file untouched. Widget ids are renumbered so that executing
    an unchanged notebook again changes nothing but its wall time.

    Returns:
        The ``d2l`` metadata written (see :mod:`.provenance`).

    Raises:
        ProjectError: the notebook is outside the book's repository, or the
            installed torch / torchvision are not the versions requirements.txt pins.
    """
    import nbformat
    from nbclient import NotebookClient

    path = Path(path).resolve()
    root = root or project_root(path.parent)
    if not path.is_relative_to(root):
        raise ProjectError(f"{path} is outside the book's repository {root}.")
    profile = check_profile(profile)
    installed, pinned = installed_versions(), pinned_versions(root)
    if installed != pinned:
        raise ProjectError(
            f"Installed {installed} but requirements.txt pins {pinned}: outputs made with other "
            "versions would not pass `d2l-notebooks check`. Run `pip install -r requirements.txt`.")
    notebook = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as scratch:
        record_file = Path(scratch) / "records.json"
        overrides = {"D2L_PROFILE": profile, "D2L_RECORD_FILE": str(record_file),
                     "TQDM_DISABLE": "1", "PYTHONWARNINGS": "default"}
        data_dir = absolute_data_dir()
        if data_dir is not None:
            overrides[DATA_DIR_ENV] = data_dir
        with _environment(overrides):
            started = time.perf_counter()
            client = NotebookClient(
                notebook, timeout=timeout, kernel_name="python3", store_widget_state=True,
                record_timing=False, resources={"metadata": {"path": str(path.parent)}})
            client.execute()
            wall = time.perf_counter() - started
        records = json.loads(record_file.read_text()) if record_file.is_file() else {}
    renumber_widgets(notebook, salt=path.stem)
    metadata = build_record(
        notebook, profile=profile, records=records, wall_time_s=wall, machine=_machine(),
        versions={"d2lhelpers": __version__, **installed})
    notebook.metadata["d2l"] = metadata
    nbformat.write(notebook, path)
    return metadata

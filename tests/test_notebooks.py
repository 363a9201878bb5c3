"""The committed chapters: fresh, executed in a published profile, error-free, in the book."""

import os
from pathlib import Path

import pytest
import yaml

from d2lhelpers.pipeline import check_notebook, exercise_problems, key_terms, notebooks_under
from d2lhelpers.pipeline.pages import GENERATED

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = notebooks_under(None, ROOT)


def test_ci_runs_the_notebooks_in_the_smoke_profile():
    """Canary: nbval executes every chapter; outside smoke that takes hours, not minutes."""
    assert os.environ.get("D2L_PROFILE") == "smoke", (
        "pytest must run with D2L_PROFILE=smoke (conftest.py sets it when unset); "
        f"it is {os.environ.get('D2L_PROFILE')!r}")


def test_there_are_chapters():
    assert len(NOTEBOOKS) >= 4


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_outputs_are_fresh_and_clean(path):
    problems = check_notebook(path, ROOT)
    assert not problems, "\n".join(problems)


def _toc_files(entries):
    for entry in entries:
        if "file" in entry:
            yield entry["file"]
        yield from _toc_files(entry.get("chapters", []) + entry.get("sections", []))


def test_every_notebook_is_in_the_table_of_contents():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    listed = set(_toc_files(toc["parts"]))
    for path in NOTEBOOKS:
        assert path.relative_to(ROOT).with_suffix("").as_posix() in listed, f"{path.name} not in _toc.yml"
    for entry in listed:
        assert any((ROOT / entry).with_suffix(s).is_file() for s in (".ipynb", ".md")), f"{entry} missing"


@pytest.mark.parametrize("page, render", GENERATED)
def test_generated_pages_are_up_to_date(page, render):
    assert (ROOT / page).read_text() == render(NOTEBOOKS, ROOT), (
        f"{page} is out of date: run `d2l-notebooks pages`")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_chapter_ends_with_key_terms(path):
    import nbformat
    assert key_terms(nbformat.read(path, as_version=4)), f"{path.name} has no '## Key terms' table"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_exercise_has_a_collapsed_worked_solution(path):
    import nbformat
    problems = exercise_problems(nbformat.read(path, as_version=4))
    assert not problems, f"{path.name}: " + "; ".join(problems)

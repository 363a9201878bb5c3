"""The notebook pipeline: executing, recording, and catching stale or broken notebooks."""

import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from d2lhelpers import pipeline
from d2lhelpers.pipeline import (
    ProjectError, build_record, canonical_setup_source, check_notebook, code_sha256,
    execute_notebook, notebooks_under, project_root, repository_url, setup_cell_source,
    sync_setup_cell,
)
from d2lhelpers.pipeline.project import installed_versions

URL = "https://example.org/course/repo"
REPO = Path(__file__).resolve().parents[1]


def make_project(tmp_path: Path, cells: list) -> Path:
    (tmp_path / "_config.yml").write_text(f"title: t\nrepository:\n  url: {URL}/\n  branch: main\n")
    (tmp_path / "requirements.txt").write_text((REPO / "requirements.txt").read_text())
    (tmp_path / "chapters").mkdir()
    notebook = new_notebook(cells=cells)
    notebook.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "chapters" / "demo.ipynb"
    nbformat.write(notebook, path)
    return path


def executed_notebook(path: Path, profile: str = "cpu", records: dict | None = None,
                      wall_time_s: float = 1.0, machine: str = "test machine") -> None:
    """Mark a notebook as executed by the pipeline, with every code cell run."""
    import d2lhelpers
    notebook = nbformat.read(path, as_version=4)
    for i, cell in enumerate(c for c in notebook.cells if c.cell_type == "code"):
        cell.execution_count = i + 1
    notebook.metadata["d2l"] = build_record(
        notebook, profile=profile, records=records or {}, wall_time_s=wall_time_s, machine=machine,
        versions={"d2lhelpers": d2lhelpers.__version__, **installed_versions()})
    nbformat.write(notebook, path)


def test_code_hash_follows_code_not_prose():
    notebook = new_notebook(cells=[new_markdown_cell("# a"), new_code_cell("x = 1")])
    before = code_sha256(notebook)
    notebook.cells[0].source = "# a better title"
    notebook.cells[1].outputs = [new_output("stream", name="stdout", text="hi")]
    assert code_sha256(notebook) == before
    notebook.cells[1].source = "x = 2"
    assert code_sha256(notebook) != before
    split = new_notebook(cells=[new_code_cell("x = 1"), new_code_cell("")])
    assert code_sha256(split) != before, "cell boundaries are part of the code"


def test_repository_url_and_setup_cell(tmp_path):
    make_project(tmp_path, [])
    assert project_root(tmp_path / "chapters") == tmp_path
    assert repository_url(tmp_path) == URL
    source = setup_cell_source(URL, "main", "9.9.9")
    assert f"\"git+{URL}@main\"" in source, "Colab installs the helpers from the branch it opened"
    assert 'd2l.check_version("9.9.9")' in source and "google.colab" in source


def test_project_root_and_url_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="_config.yml"):
        project_root(tmp_path)
    (tmp_path / "_config.yml").write_text("title: t\n")
    with pytest.raises(ValueError, match="repository: url"):
        repository_url(tmp_path)


def test_sync_setup_inserts_then_replaces(tmp_path):
    path = make_project(tmp_path, [new_markdown_cell("# Title")])
    source = canonical_setup_source(tmp_path)
    assert sync_setup_cell(path, source) is True
    notebook = nbformat.read(path, as_version=4)
    assert notebook.cells[0].source == setup_cell_source(URL, "main")
    assert notebook.cells[0].metadata.tags == ["hide-cell"]
    assert sync_setup_cell(path, source) is False
    assert sync_setup_cell(path, setup_cell_source(URL + "-moved")) is True
    assert len(nbformat.read(path, as_version=4).cells) == 2


def test_check_accepts_a_good_notebook(tmp_path):
    setup = new_code_cell(setup_cell_source(URL), metadata={"tags": ["hide-cell"]})
    setup.outputs = [new_output("stream", name="stdout", text="profile cpu | device cpu\n")]
    path = make_project(tmp_path, [setup, new_code_cell("print(1)")])
    executed_notebook(path)
    assert check_notebook(path, tmp_path) == []


def test_check_catches_edited_code(tmp_path):
    path = make_project(tmp_path, [new_code_cell("x = 1")])
    executed_notebook(path)
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[0].source = "x = 2"
    nbformat.write(notebook, path)
    assert any("stale outputs" in p for p in check_notebook(path))


def test_check_catches_unexecuted_and_smoke_notebooks(tmp_path):
    path = make_project(tmp_path, [new_code_cell("x = 1")])
    assert "never executed" in check_notebook(path)[0]
    executed_notebook(path, profile="smoke")
    assert any("'smoke' profile" in p for p in check_notebook(path))
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[0].execution_count = None
    nbformat.write(notebook, path)
    assert any("not executed" in p for p in check_notebook(path))


def test_check_catches_errors_tracebacks_and_warnings(tmp_path):
    cells = [new_code_cell("1/0"), new_code_cell("warn()"),
             new_code_cell("boom()", metadata={"tags": ["raises-exception"], "d2l": {"raises": "TypeError"}})]
    cells[0].outputs = [new_output("error", ename="ZeroDivisionError", evalue="division by zero", traceback=[])]
    cells[1].outputs = [new_output("stream", name="stderr", text="x.py:1: UserWarning: careful\n")]
    cells[2].outputs = [new_output("error", ename="TypeError", evalue="expected", traceback=[])]
    path = make_project(tmp_path, cells)
    executed_notebook(path)
    problems = check_notebook(path)
    assert len(problems) == 2
    assert "cell 0: error ZeroDivisionError" in problems[0]
    assert "UserWarning: careful" in problems[1]


def test_check_catches_a_wrong_setup_cell(tmp_path):
    path = make_project(tmp_path, [new_code_cell(setup_cell_source("https://elsewhere.org/x"),
                                                 metadata={"tags": ["hide-cell"]})])
    executed_notebook(path)
    assert any("canonical setup cell" in p for p in check_notebook(path, tmp_path))


def test_notebooks_under(tmp_path):
    path = make_project(tmp_path, [])
    (tmp_path / "chapters" / ".ipynb_checkpoints").mkdir()
    (tmp_path / "chapters" / ".ipynb_checkpoints" / "demo-checkpoint.ipynb").write_text("{}")
    assert notebooks_under(None, tmp_path) == [path.resolve()]
    assert notebooks_under([str(path)], tmp_path) == [path.resolve()]
    with pytest.raises(FileNotFoundError, match="neither a notebook"):
        notebooks_under([str(tmp_path / "missing.ipynb")], tmp_path)


def test_execute_writes_outputs_profile_and_records(tmp_path, monkeypatch):
    path = make_project(tmp_path, [
        new_code_cell("import os\nprint(os.environ['D2L_PROFILE'])"),
        new_code_cell("import d2lhelpers\nd2lhelpers.record(answer=42, ratio=0.5)"),
        new_code_cell("raise TypeError('shown')",
                      metadata={"tags": ["raises-exception"], "d2l": {"raises": "TypeError"}}),
        new_code_cell("d2lhelpers.setup_notebook()\nfig, ax = d2lhelpers.new_figure()\nax.plot([1, 2])\nfig"),
        new_code_cell("import torch\nfrom torch import nn\nm = nn.Linear(2, 2)\n"
                      "batches = [(torch.randn(8, 2), torch.arange(8) % 2)]\n"
                      "h = d2lhelpers.fit(m, batches, nn.CrossEntropyLoss(), torch.optim.SGD(m.parameters(), lr=0.1), 2)"),
    ])
    monkeypatch.setenv("D2L_PROFILE", "smoke")
    meta = execute_notebook(path, profile="cpu", timeout=120)
    notebook = nbformat.read(path, as_version=4)
    assert notebook.cells[0].outputs[0].text == "cpu\n"
    assert notebook.metadata["d2l"] == meta
    assert meta["records"] == {"answer": 42.0, "ratio": 0.5}
    figure_outputs = [o for o in notebook.cells[3].outputs if o.output_type == "execute_result"]
    assert "image/png" in figure_outputs[0].data, "a new_figure() figure must publish as an image"
    fit_outputs = notebook.cells[4].outputs
    assert not any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in fit_outputs), (
        "fit must not leave a (frozen) progress-bar widget in published outputs")
    assert any("image/png" in o.get("data", {}) for o in fit_outputs), "the live curve's last state is published"
    assert meta["profile"] == "cpu" and meta["code_sha256"] == code_sha256(notebook)
    assert meta["wall_time_s"] > 0
    assert "d2lhelpers.training.fit" in meta["helpers"] and "d2lhelpers.record.record" in meta["helpers"]
    assert check_notebook(path) == []
    import os
    assert os.environ["D2L_PROFILE"] == "smoke", "the caller's environment is restored"


def test_execute_refuses_to_write_a_failing_notebook(tmp_path):
    path = make_project(tmp_path, [new_code_cell("raise RuntimeError('broken')")])
    before = path.read_text()
    with pytest.raises(Exception, match="broken"):
        execute_notebook(path, profile="cpu", timeout=120)
    assert path.read_text() == before


def test_command_line(tmp_path, monkeypatch, capsys):
    path = make_project(tmp_path, [new_markdown_cell("# T"), new_code_cell("x = 1")])
    monkeypatch.chdir(tmp_path)
    assert pipeline.main(["check"]) == 1
    assert "never executed" in capsys.readouterr().out
    assert pipeline.main(["sync-setup"]) == 0
    assert pipeline.main(["execute", str(path)]) == 0
    assert pipeline.main(["check", "chapters"]) == 0
    with pytest.raises(Exception, match="Unknown profile"):
        pipeline.main(["execute", "--profile", "fast"])


def test_results_page_lists_records_and_d2l_reference(tmp_path):
    path = make_project(tmp_path, [new_markdown_cell("# Softmax (软)"), new_code_cell("x = 1")])
    executed_notebook(path, wall_time_s=12.5, machine="x86_64, 2 CPUs", records={"test_acc": 0.8412})
    renamed = path.with_name("06_softmax_regression.ipynb")
    path.rename(renamed)
    page = pipeline.results_page([renamed], tmp_path)
    assert "| [Softmax (软)](chapters/06_softmax_regression.ipynb) | cpu | 12.5 | `test_acc` = 0.8412 | `test_acc` = 0.83 |" in page
    assert "Machines: x86_64, 2 CPUs." in page
    results, *_ = pipeline.write_generated_pages(tmp_path)
    assert results.read_text() == page


def test_results_page_shows_benchmark_results(tmp_path):
    path = make_project(tmp_path, [new_markdown_cell("# One"), new_code_cell("x = 1")])
    executed_notebook(path)
    (tmp_path / "benchmarks" / "results").mkdir(parents=True)
    result = {"title": "Loops", "command": "python benchmarks/loops.py", "date": "2026-12-01",
              "machine": "x86_64, 2 CPUs", "settings": {"epochs": 1},
              "tables": {"examples per second": {"ours": {"min": 900.4, "median": 1000.0, "max": 1234.5}}}}
    (tmp_path / "benchmarks" / "results" / "loops.json").write_text(json.dumps(result))
    page = pipeline.results_page([path], tmp_path)
    assert "## Benchmark: Loops" in page
    assert "`python benchmarks/loops.py`, run on 2026-12-01 (x86_64, 2 CPUs); epochs 1." in page
    assert "| examples per second | min | median | max |" in page and "| ours | 900 | 1,000 | 1,234 |" in page
    del result["tables"]
    (tmp_path / "benchmarks" / "results" / "loops.json").write_text(json.dumps(result))
    with pytest.raises(KeyError):
        pipeline.results_page([path], tmp_path)


def test_glossary_gathers_key_terms_of_every_chapter(tmp_path):
    terms = "## Key terms\n\n| 中文 | English |\n|---|---|\n| 张量 | tensor |\n| 广播机制 | broadcasting |\n"
    first = make_project(tmp_path, [new_markdown_cell("# One"), new_markdown_cell(terms)])
    second = first.with_name("02_two.ipynb")
    nbformat.write(new_notebook(cells=[new_markdown_cell(terms.replace("| 广播机制 | broadcasting |\n", ""))]), second)
    first = first.rename(first.with_name("01_one.ipynb"))
    assert pipeline.key_terms(nbformat.read(first, as_version=4)) == [("张量", "tensor"), ("广播机制", "broadcasting")]
    page = pipeline.glossary_page([first, second], tmp_path)
    assert "| 张量 | tensor | [1](chapters/01_one.ipynb), [2](chapters/02_two.ipynb) |" in page
    assert "| 广播机制 | broadcasting | [1](chapters/01_one.ipynb) |" in page
    assert "| 深度学习 | deep learning | introduction |" in page
    assert pipeline.key_terms(new_notebook(cells=[new_markdown_cell("# no terms")])) == []
    inside = new_markdown_cell("## Summary\n\n- a point\n\n" + terms + "\nThe end.\n")
    assert pipeline.key_terms(new_notebook(cells=[inside])) == [("张量", "tensor"), ("广播机制", "broadcasting")]


def test_exercise_problems_asks_a_hidden_worked_solution_per_exercise():
    listing = new_markdown_cell("## Summary\n\n- a point\n\n## Exercises\n\n1. First?\n2. Second?\n")
    solved = [listing, new_markdown_cell("**Solution 1.** Like this:"),
              new_code_cell("1 + 1", metadata={"tags": ["hide-input"]}),
              new_markdown_cell("Two.\n\n**Solution 2.** A proof, no code.\n\n## Key terms\n\n| a | b |")]
    assert pipeline.exercise_problems(new_notebook(cells=solved)) == []
    assert pipeline.exercise_problems(new_notebook(cells=[new_markdown_cell("# no exercises")])) == []
    unsolved = [listing, new_markdown_cell("**Solution 1.**"), new_code_cell("1 + 1"),
                new_markdown_cell("**Solution 3.**\n\n## Key terms")]
    assert pipeline.exercise_problems(new_notebook(cells=unsolved)) == [
        "cell 2: a solution's code cell is not tagged hide-input",
        "exercise 2 has no worked solution (**Solution 2.**)",
        "**Solution 3.** answers no exercise"]
    after_terms = [listing, new_markdown_cell("## Key terms\n\n| a | b |"), new_code_cell("x = 1")]
    assert pipeline.exercise_problems(new_notebook(cells=after_terms)) == [
        "exercise 1 has no worked solution (**Solution 1.**)",
        "exercise 2 has no worked solution (**Solution 2.**)"]


def test_search_terms_teach_jieba_the_glossary(tmp_path):
    terms = "## Key terms\n\n| 中文 | English |\n|---|---|\n| 丢弃法 | dropout |\n| 池化层 (汇聚层) | pooling layer |\n"
    path = make_project(tmp_path, [new_markdown_cell("# Ten"), new_markdown_cell(terms)])
    lines = pipeline.pages.search_terms([path], tmp_path).splitlines()
    assert "丢弃法 100000" in lines and "池化层 100000" in lines and "汇聚层 100000" in lines
    assert "池化 1" in lines, "a two-character piece, so that 池化 finds 池化层"
    assert not any(line.startswith(("(", "dropout")) for line in lines)

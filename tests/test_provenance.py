"""Provenance: a stale, edited, re-tagged or wrong-profile notebook cannot pass the check.

Each test reproduces one way a published page stopped matching its code and
checks that ``check_notebook`` now names it.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_output

from d2lhelpers.pipeline import (
    absolute_data_dir, build_record, check_notebook, execute_notebook, helper_dependencies,
    notebook_helpers, provenance_sha256, renumber_widgets, setup_cell_source,
)
from d2lhelpers.pipeline.check import claims_in, printed_records
from d2lhelpers.pipeline.provenance import PACKAGE_DIR, package_definitions

from .test_pipeline import URL, executed_notebook, make_project

SETUP_OUTPUT = "profile cpu | device cpu | torch 2 | d2lhelpers 0 | seed 0\n"


def published(tmp_path: Path, *cells, records: dict | None = None) -> Path:
    """A project with a setup cell and ``cells``, marked as executed in the cpu profile."""
    setup = new_code_cell(setup_cell_source(URL), metadata={"tags": ["hide-cell"]})
    setup.outputs = [new_output("stream", name="stdout", text=SETUP_OUTPUT)]
    path = make_project(tmp_path, [setup, *cells])
    executed_notebook(path, records=records)
    assert check_notebook(path, tmp_path) == [], "the fixture itself must pass"
    return path


def edit(path: Path, change) -> None:
    notebook = nbformat.read(path, as_version=4)
    change(notebook)
    nbformat.write(notebook, path)


def recorded_cell(value: str = "0.8412") -> object:
    cell = new_code_cell("d2l.record(test_acc=acc)")
    cell.outputs = [new_output("stream", name="stdout", text=f"Recorded: test_acc = {value}\n")]
    return cell


def test_a_helper_change_marks_exactly_the_notebooks_that_can_call_it(tmp_path):
    package = tmp_path / "copy" / "d2lhelpers"
    shutil.copytree(PACKAGE_DIR, package, ignore=shutil.ignore_patterns("__pycache__"))
    regression = ["import d2lhelpers as d2l\nX, y = d2l.synthetic_regression_data(w, 4.2, 20)"]
    classifier = ["import d2lhelpers as d2l\nhistory = d2l.fit(net, batches, loss, opt, 3)"]
    before = {name: helper_dependencies(code, package) for name, code in
              (("regression", regression), ("classifier", classifier))}
    assert "d2lhelpers.synthetic.synthetic_regression_data" in before["regression"]
    assert "d2lhelpers.training.fit" in before["classifier"]
    assert "d2lhelpers.plotting.LiveCurve" in before["classifier"], "reached through fit"
    synthetic = package / "synthetic.py"
    synthetic.write_text(synthetic.read_text().replace("X = torch.normal(0.0, 1.0,", "X = torch.normal(0.0, 1.01,"))
    package_definitions.cache_clear()
    after = {name: helper_dependencies(code, package) for name, code in
             (("regression", regression), ("classifier", classifier))}
    changed = {k for k in before["regression"] if before["regression"][k] != after["regression"][k]}
    assert changed == {"d2lhelpers.synthetic.synthetic_regression_data"}
    assert after["classifier"] == before["classifier"], "an unrelated helper change leaves it fresh"


def test_check_names_the_changed_helper(tmp_path, monkeypatch):
    path = published(tmp_path, new_code_cell("import d2lhelpers as d2l\nd2l.synthetic_regression_data"))
    stale = dict(notebook_helpers(nbformat.read(path, as_version=4)))
    stale["d2lhelpers.synthetic.synthetic_regression_data"] = "0" * 64
    monkeypatch.setattr("d2lhelpers.pipeline.check.notebook_helpers", lambda notebook: stale)
    problems = check_notebook(path, tmp_path)
    assert any("helpers it calls changed" in p and "synthetic_regression_data" in p for p in problems)


def test_the_static_closure_covers_every_helper_a_real_run_calls():
    """Trace real calls of the package and check that the static analysis predicted each."""
    code = (
        "import torch\nfrom torch import nn\nimport d2lhelpers as d2l\n"
        "X, y = d2l.synthetic_regression_data(torch.tensor([2.0, -3.4]), 4.2, 64)\n"
        "images = (torch.rand(64, 1, 8, 8) * 255).to(torch.uint8)\n"
        "batches = d2l.ImageBatches(images, torch.arange(64) % 2, 16, shuffle=True)\n"
        "net = nn.Sequential(nn.Flatten(), nn.Linear(64, 2))\n"
        "d2l.fit(net, batches, nn.CrossEntropyLoss(), torch.optim.SGD(net.parameters(), lr=0.1), 1,"
        " test_batches=batches, progress=False, plot=True)\n"
        "d2l.evaluate_accuracy(net, batches)\nd2l.squared_loss(X[:, :1], y)\n"
        "d2l.polynomial_features(X[:, 0], 4)\nd2l.show_images(images[:4], 1, 4)\n"
    )
    predicted = set(helper_dependencies([code]))
    definitions = package_definitions()
    spans = []
    for name in predicted | set(definitions):
        module, _, short = name.rpartition(".")
        spans.append((name, module, short))
    called: set[tuple[str, int]] = set()
    package_root = str(PACKAGE_DIR)

    def tracer(frame, event, arg):
        filename = frame.f_code.co_filename
        if event == "call" and filename.startswith(package_root) and "pipeline" not in filename:
            called.add((filename, frame.f_code.co_firstlineno))
        return None

    sys.settrace(tracer)
    try:
        exec(compile(code, "<notebook>", "exec"), {})
    finally:
        sys.settrace(None)
    assert called, "the trace saw no helper call"
    missed = [(f, line) for f, line in called if not _covered(f, line, predicted)]
    assert not missed, f"helpers called but not predicted: {missed}"


def _covered(filename: str, line: int, predicted: set[str]) -> bool:
    import ast
    path = Path(filename)
    module = ".".join(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
    tree = ast.parse(path.read_text())
    for node in tree.body:
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        if first <= line <= node.end_lineno and hasattr(node, "name"):
            return f"{module}.{node.name}" in predicted
    return False


def test_a_raises_exception_tag_cannot_silence_an_assert(tmp_path):
    path = published(tmp_path, new_code_cell("assert accuracy > 0.8"))
    edit(path, lambda nb: nb.cells[1].metadata.update(tags=["raises-exception"]))
    problems = "\n".join(check_notebook(path, tmp_path))
    assert "cell tags changed" in problems
    assert "without declaring which exception" in problems
    assert "may not hold an assert" in problems


def test_a_raising_cell_must_show_the_exception_it_declares(tmp_path):
    cell = new_code_cell("nn.Relu()", metadata={"tags": ["raises-exception"], "d2l": {"raises": "AttributeError"}})
    cell.outputs = [new_output("error", ename="AttributeError", evalue="no Relu", traceback=[])]
    path = published(tmp_path, cell)
    edit(path, lambda nb: nb.cells[1].metadata["d2l"].update(raises="TypeError"))
    assert any("declares it raises TypeError but its output shows AttributeError" in p
               for p in check_notebook(path, tmp_path))
    assert claims_in("assert x\nd2l.record(a=1)") == ["an assert", "a record(...) call"]


def test_hand_edited_numbers_fail(tmp_path):
    path = published(tmp_path, recorded_cell(), records={"test_acc": 0.8412})
    edit(path, lambda nb: setattr(nb.cells[1].outputs[0], "text", "Recorded: test_acc = 0.9412\n"))
    problems = "\n".join(check_notebook(path, tmp_path))
    assert "outputs were edited" in problems and "disagree with the metadata for test_acc" in problems


def test_a_hand_recomputed_code_hash_fails(tmp_path):
    from d2lhelpers.pipeline import code_sha256
    path = published(tmp_path, new_code_cell("x = 1"))

    def forge(notebook):
        notebook.cells[1].source = "x = 2"
        notebook.metadata["d2l"]["code_sha256"] = code_sha256(notebook)
    edit(path, forge)
    assert any("edited by hand" in p for p in check_notebook(path, tmp_path))


def test_a_smoke_run_saved_from_jupyter_fails(tmp_path):
    path = published(tmp_path, recorded_cell(), records={"test_acc": 0.8412})

    def run_all_in_smoke(notebook):
        notebook.cells[0].outputs[0].text = SETUP_OUTPUT.replace("cpu", "smoke", 1)
        notebook.cells[1].outputs[0].text = "Recorded: test_acc = 0.61\n"
    edit(path, run_all_in_smoke)
    problems = "\n".join(check_notebook(path, tmp_path))
    assert "setup cell printed profile smoke, the metadata says 'cpu'" in problems
    assert "outputs were edited" in problems


def test_metadata_naming_other_versions_fails(tmp_path):
    path = published(tmp_path, new_code_cell("x = 1"))

    def other_torch(notebook):
        meta = notebook.metadata["d2l"]
        meta["versions"]["torch"] = "2.5.0"
        meta["versions"]["d2lhelpers"] = "0.0.1"
        meta["provenance_sha256"] = provenance_sha256(meta)
    edit(path, other_torch)
    problems = "\n".join(check_notebook(path, tmp_path))
    assert "executed with torch 2.5.0, but requirements.txt pins" in problems
    assert "executed with d2lhelpers 0.0.1" in problems


def test_printed_records_parse_every_recorded_line():
    notebook = nbformat.v4.new_notebook(cells=[recorded_cell("0.5"), new_code_cell("x")])
    notebook.cells[1].outputs = [new_output("stream", name="stdout", text="a\nRecorded: b = 2, c = 3.5\n")]
    assert printed_records(notebook) == {"test_acc": "0.5", "b": "2", "c": "3.5"}


def test_relative_data_dir_is_resolved_where_it_was_given(tmp_path):
    assert absolute_data_dir({"D2L_DATA_DIR": "../shared/data"}, base=tmp_path / "repo") == str(
        (tmp_path / "shared" / "data").resolve())
    assert absolute_data_dir({"D2L_DATA_DIR": "/abs/data"}) == "/abs/data"
    assert absolute_data_dir({}) is None


def test_widget_ids_are_renumbered_by_content_order():
    def notebook_with(ids):
        notebook = nbformat.v4.new_notebook(cells=[new_code_cell("panel")])
        notebook.cells[0].outputs = [new_output("display_data", data={
            "application/vnd.jupyter.widget-view+json": {"model_id": ids[0], "version_major": 2}})]
        notebook.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {
            ids[0]: {"model_name": "VBoxModel", "state": {"children": [f"IPY_MODEL_{ids[1]}"]}},
            ids[1]: {"model_name": "FloatSliderModel", "state": {"value": 1.0}},
        }}}
        return notebook
    first, second = notebook_with(["a" * 32, "b" * 32]), notebook_with(["c" * 32, "0" * 32])
    assert renumber_widgets(first, "ch") == renumber_widgets(second, "ch") == 2
    assert first.metadata == second.metadata
    assert first.cells[0].outputs == second.cells[0].outputs


def test_reexecuting_an_unchanged_notebook_changes_only_the_wall_time(tmp_path):
    path = make_project(tmp_path, [
        new_code_cell("import d2lhelpers as d2l\nPROFILE = d2l.setup_notebook()"),
        new_code_cell("def f(a=1.0):\n    fig, ax = d2l.new_figure()\n    ax.plot([0, a])\n    return fig\nf()"),
        new_code_cell("d2l.slider_panel(f, a=(0.0, 2.0, 0.5))"),
    ])
    first = execute_notebook(path, profile="cpu", timeout=120, root=tmp_path)
    text = path.read_text()
    second = execute_notebook(path, profile="cpu", timeout=120, root=tmp_path)
    assert "application/vnd.jupyter.widget-state+json" in text
    strip = lambda t: "\n".join(line for line in t.splitlines() if '"wall_time_s"' not in line)
    assert strip(path.read_text()) == strip(text)
    assert {k: v for k, v in first.items() if k != "wall_time_s"} == {
        k: v for k, v in second.items() if k != "wall_time_s"}


def test_execute_refuses_a_notebook_outside_the_project(tmp_path):
    from d2lhelpers.pipeline import ProjectError
    (tmp_path / "book").mkdir()
    make_project(tmp_path / "book", [])
    stray = tmp_path / "elsewhere.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), stray)
    with pytest.raises(ProjectError, match="outside the book's repository"):
        execute_notebook(stray, root=tmp_path / "book")

import json

import ipywidgets
import numpy as np
import pytest
import torch

from d2lhelpers import ParameterError, record, slider_panel


def curve(lr: float = 0.1, batch_size: int = 256, activation: str = "relu", epochs: int = 3):
    return lr, batch_size, activation, epochs


def test_panel_starts_at_the_defaults_and_runs_only_on_click():
    calls = []

    def f(lr=0.1, batch_size=256, activation="relu", epochs=3):
        calls.append((lr, batch_size, activation, epochs))

    panel = slider_panel(f, lr=(0.01, 1.0, 0.01), batch_size=(1, 512), activation=["relu", "tanh"])
    assert isinstance(panel, ipywidgets.interactive)
    sliders = {w.description: w for w in panel.children if isinstance(w, ipywidgets.ValueWidget)}
    assert set(sliders) == {"lr", "batch_size", "activation"}, "epochs has no control"
    assert (sliders["lr"].value, sliders["batch_size"].value, sliders["activation"].value) == (0.1, 256, "relu")
    assert all(w.continuous_update is False for w in (sliders["lr"], sliders["batch_size"]))
    assert panel.manual_button.description == "Run"
    sliders["lr"].value = 0.5
    sliders["activation"].value = "tanh"
    assert calls == [], "moving a slider must not run the function"
    panel.manual_button.click()
    assert calls == [(0.5, 256, "tanh", 3)]


def test_panel_accepts_widgets_and_keeps_the_function_plain():
    dropdown = ipywidgets.Dropdown(options=[1, 2, 3], value=2, description="epochs")
    panel = slider_panel(curve, epochs=dropdown)
    assert dropdown in panel.kwargs_widgets
    assert curve() == (0.1, 256, "relu", 3)


@pytest.mark.parametrize("controls, match", [
    (dict(momentum=(0, 1, 0.1)), r"`momentum` must be a parameter of curve\(\), got a name it does not have. "
     "Its parameters are lr, batch_size, activation, epochs"),
    ({}, "`controls` must be at least one keyword control, got none"),
    (dict(lr=(0.2, 1.0, 0.01)), r"`lr` must be a slider whose range holds curve\(\)'s default 0.1, got the range 0.2..1.0"),
    (dict(batch_size=(1, 128)), r"`batch_size` must be a slider whose range holds curve\(\)'s default 256, got the range 1..128"),
    (dict(lr=(0.0, 1.0, 0.1, 5)), r"`lr` must be a slider \(min, max\) or \(min, max, step\) of numbers, got \(0.0, 1.0, 0.1, 5\)"),
    (dict(lr=(0.0,)), r"`lr` must be a slider \(min, max\) or \(min, max, step\)"),
    (dict(lr=("low", "high")), r"`lr` must be a slider .*of numbers, got \('low', 'high'\)"),
    (dict(lr=(1.0, 0.0)), "`lr` must be a slider .*with min < max and step > 0"),
    (dict(lr=(0.0, 1.0, 0.0)), "`lr` must be a slider .*with min < max and step > 0"),
    (dict(lr=(0, 1)), r"`lr` must be a float slider for curve\(\)'s default 0.1.*\(0.0, 1.0\)"),
    (dict(activation=["tanh", "sigmoid"]), r"`activation` must be dropdown options that include curve\(\)'s default 'relu'"),
    (dict(activation=[]), "`activation` must be dropdown options .*got no options"),
    (dict(activation={"ReLU": "ReLU"}), "`activation` must be dropdown options that include"),
    (dict(activation="tanh"), r"`activation` must be a text box that starts at curve\(\)'s default 'relu', got 'tanh'"),
    (dict(epochs=True), r"`epochs` must be a checkbox that starts at curve\(\)'s default 3, got True"),
    (dict(epochs=None), "`epochs` must be a control, got None. Write .min, max. or"),
    (dict(epochs={1, 2, 3}), "`epochs` must be a control, got"),
])
def test_panel_bad_controls(controls, match):
    with pytest.raises(ParameterError, match=match):
        slider_panel(curve, **controls)


def test_panel_accepts_dropdowns_of_pairs_and_dicts():
    panel = slider_panel(curve, lr=[("slow", 0.01), ("d2l", 0.1)], activation={"ReLU": "relu", "tanh": "tanh"})
    values = {w.description: w.value for w in panel.children if isinstance(w, ipywidgets.ValueWidget)}
    assert values == {"lr": 0.1, "activation": "relu"}


def test_panel_needs_defaults_and_a_function():
    def no_default(lr):
        return lr
    with pytest.raises(ParameterError, match=r"`lr` must be a parameter of no_default\(\) with a default"):
        slider_panel(no_default, lr=(0.0, 1.0))
    with pytest.raises(TypeError, match="`function` must be a function, got 3"):
        slider_panel(3, lr=(0.0, 1.0))


def test_record_prints_and_merges_into_the_pipeline_file(tmp_path, monkeypatch, capsys):
    target = tmp_path / "records.json"
    monkeypatch.setenv("D2L_RECORD_FILE", str(target))
    assert record(test_acc=0.8412) == {"test_acc": 0.8412}
    record(train_epoch_s=3, test_acc_modern=np.float32(0.5))
    assert json.loads(target.read_text()) == {"test_acc": 0.8412, "train_epoch_s": 3.0, "test_acc_modern": 0.5}
    assert "Recorded: test_acc = 0.8412" in capsys.readouterr().out


def test_record_rejects_a_name_recorded_twice(tmp_path, monkeypatch, capsys):
    """A second record(test_acc=...) used to overwrite the first silently."""
    target = tmp_path / "records.json"
    monkeypatch.setenv("D2L_RECORD_FILE", str(target))
    record(test_acc=0.84)
    capsys.readouterr()
    with pytest.raises(ParameterError, match=r"`test_acc` must be recorded once per notebook, got a second value 0.9 "
                       r"\(.*records.json already holds test_acc = 0.84\)"):
        record(loss=0.3, test_acc=0.9)
    assert json.loads(target.read_text()) == {"test_acc": 0.84}, "nothing of the bad call is written"
    assert capsys.readouterr().out == "", "nor printed"


def test_record_accepts_numpy_and_tensor_scalars(monkeypatch):
    monkeypatch.delenv("D2L_RECORD_FILE", raising=False)
    assert record(a=np.float64(0.5), b=torch.tensor(0.25), c=np.int64(3)) == {"a": 0.5, "b": 0.25, "c": 3.0}


def test_record_without_pipeline_only_prints(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("D2L_RECORD_FILE", raising=False)
    monkeypatch.chdir(tmp_path)
    record(x=1.5)
    assert list(tmp_path.iterdir()) == []
    assert "x = 1.5" in capsys.readouterr().out


@pytest.mark.parametrize("value, match", [
    (float("nan"), "real number, got nan, which is not finite"), (float("inf"), "real number, got inf, which is not"),
    ("0.8", "real number, got '0.8'"),
    (True, r"real number, got True \(a bool\)"), (None, "real number, got None"),
    ([0.8], r"real number, got \[0.8\]"), (torch.tensor([0.8, 0.9]), "real number, got a tensor of shape"),
])
def test_record_rejects_non_numbers(value, match):
    with pytest.raises(ParameterError, match="`score` must be a finite " + match):
        record(score=value)


def test_record_needs_a_number():
    with pytest.raises(ParameterError, match="`numbers` must be at least one name=value pair"):
        record()


def test_the_live_panel_shows_the_figure_of_a_figure_outcome_function():
    from d2lhelpers import new_figure

    def explore(a=1.0):
        figure, ax = new_figure(size=(2, 1.5))
        ax.plot([0, a])
        return figure, {"a": a}
    panel = slider_panel(explore, a=(0.0, 2.0, 0.5))
    panel.update()
    assert hasattr(panel.result, "savefig"), f"the panel showed {panel.result!r}, not the figure"
    assert panel.kwargs == {"a": 1.0}
    assert panel.auto_display, "the panel must display what the function returns"

import json

import ipywidgets
import pytest

from d2lhelpers import record, slider_panel


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
    (dict(momentum=(0, 1, 0.1)), "has no parameter momentum"),
    ({}, "at least one control"),
])
def test_panel_bad_controls(controls, match):
    with pytest.raises(ValueError, match=match):
        slider_panel(curve, **controls)


def test_panel_needs_defaults_and_a_function():
    def no_default(lr):
        return lr
    with pytest.raises(ValueError, match="default for lr"):
        slider_panel(no_default, lr=(0.0, 1.0))
    with pytest.raises(TypeError, match="needs a function"):
        slider_panel(3, lr=(0.0, 1.0))


def test_record_prints_and_merges_into_the_pipeline_file(tmp_path, monkeypatch, capsys):
    target = tmp_path / "records.json"
    monkeypatch.setenv("D2L_RECORD_FILE", str(target))
    assert record(test_acc=0.8412) == {"test_acc": 0.8412}
    record(train_epoch_s=3, test_acc=0.85)
    assert json.loads(target.read_text()) == {"test_acc": 0.85, "train_epoch_s": 3.0}
    assert "Recorded: test_acc = 0.8412" in capsys.readouterr().out


def test_record_without_pipeline_only_prints(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("D2L_RECORD_FILE", raising=False)
    monkeypatch.chdir(tmp_path)
    record(x=1.5)
    assert list(tmp_path.iterdir()) == []
    assert "x = 1.5" in capsys.readouterr().out


@pytest.mark.parametrize("value, match", [
    (float("nan"), "not finite"), (float("inf"), "not finite"), ("0.8", "real number"),
    (True, "real number"), (None, "real number"),
])
def test_record_rejects_non_numbers(value, match):
    with pytest.raises(ValueError, match=match):
        record(score=value)


def test_record_needs_a_number():
    with pytest.raises(ValueError, match="at least one"):
        record()

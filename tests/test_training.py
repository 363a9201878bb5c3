import pytest
import torch
from torch import nn

from tests.conftest import blob_batches
from d2lhelpers import History, accuracy, evaluate_accuracy, fit, model_device, seed_everything


def test_accuracy_counts_argmax_hits():
    logits = torch.tensor([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4]])
    assert accuracy(logits, torch.tensor([1, 0, 0, 0])) == pytest.approx(0.75)


@pytest.mark.parametrize("logits, labels, match", [
    (torch.zeros(4), torch.zeros(4, dtype=torch.long), "shape"),
    (torch.zeros(4, 2), torch.zeros(3, dtype=torch.long), "shape"),
    (torch.zeros(0, 2), torch.zeros(0, dtype=torch.long), "empty"),
])
def test_accuracy_bad_inputs(logits, labels, match):
    with pytest.raises(ValueError, match=match):
        accuracy(logits, labels)


def _blobs(n=200, seed=0):
    return blob_batches(seed, n, 50)


def test_evaluate_accuracy_restores_the_mode():
    model = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5))
    model.train()
    evaluate_accuracy(model, _blobs())
    assert model.training
    model.eval()
    evaluate_accuracy(model, _blobs())
    assert not model.training


def test_evaluate_accuracy_uses_eval_mode():
    seen = []

    class Spy(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(2, 2)

        def forward(self, X):
            seen.append(self.training)
            return self.linear(X)

    evaluate_accuracy(Spy().train(), _blobs())
    assert seen and not any(seen)


def test_evaluate_accuracy_of_a_plain_function():
    def perfect(X):
        return torch.stack([-X[:, 0], X[:, 0]], dim=1)
    assert evaluate_accuracy(perfect, _blobs()) == pytest.approx(1.0, abs=0.02)
    with pytest.raises(ValueError, match="no batches"):
        evaluate_accuracy(perfect, [])


def test_fit_learns_and_reports_honest_history(capsys):
    seed_everything(0)
    model = nn.Linear(2, 2)
    history = fit(model, _blobs(), nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.5),
                  epochs=3, test_batches=_blobs(seed=1), progress=False, plot=False)
    assert isinstance(history, History)
    assert len(history.train_loss) == len(history.test_acc) == 3
    assert history.train_loss[-1] < history.train_loss[0]
    assert history.test_acc[-1] > 0.95
    assert history.examples == [200, 200, 200]
    assert history.examples_per_s == pytest.approx(600 / sum(history.epoch_seconds))
    assert "examples/s wall clock" in capsys.readouterr().out


def test_fit_never_reinitializes_or_replaces_the_model():
    model = nn.Linear(2, 2)
    with torch.no_grad():
        model.weight.fill_(0.25)
        model.bias.zero_()
    weight_before = model.weight
    optimizer = torch.optim.SGD(model.parameters(), lr=0.0)  # lr 0: training must not move anything
    fit(model, _blobs(), nn.CrossEntropyLoss(), optimizer, epochs=1, progress=False, plot=False)
    assert model.weight is weight_before
    assert torch.all(model.weight == 0.25) and torch.all(model.bias == 0)
    assert model_device(model) == torch.device("cpu")


def test_fit_plots_a_live_curve(capsys):
    model = nn.Linear(2, 2)
    fit(model, _blobs(), nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.1),
        epochs=2, progress=False, plot=True)
    out = capsys.readouterr().out  # outside Jupyter with Agg the curve prints its points
    assert "epoch 1: train loss" in out and "epoch 2: train loss" in out


def test_fit_rejects_a_per_example_loss():
    model = nn.Linear(2, 2)
    with pytest.raises(ValueError, match="reduction='mean'"):
        fit(model, _blobs(), nn.CrossEntropyLoss(reduction="none"),
            torch.optim.SGD(model.parameters(), lr=0.1), epochs=1, progress=False, plot=False)


@pytest.mark.parametrize("epochs", [0, -1, 1.5, True])
def test_fit_rejects_bad_epochs(epochs):
    model = nn.Linear(2, 2)
    with pytest.raises(ValueError, match="epochs"):
        fit(model, _blobs(), nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.1),
            epochs=epochs, progress=False, plot=False)


def test_fit_rejects_a_frozen_model():
    model = nn.Linear(2, 2).requires_grad_(False)
    with pytest.raises(ValueError, match="no trainable parameters"):
        fit(model, _blobs(), nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.1),
            epochs=1, progress=False, plot=False)


def test_model_device_without_parameters_is_cpu():
    assert model_device(nn.ReLU()) == torch.device("cpu")


def test_progress_bar_obeys_tqdm_disable(capsys, monkeypatch):
    """The pipeline and pytest hide the bar with TQDM_DISABLE=1; fit must not override it."""
    model = nn.Linear(2, 2)
    monkeypatch.setenv("TQDM_DISABLE", "1")
    fit(model, _blobs(), nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.1), 1, plot=False)
    assert "batch" not in capsys.readouterr().err


def test_progress_bar_is_shown_by_default(tmp_path):
    import subprocess
    import sys
    script = (
        "import torch\nfrom torch import nn\nfrom d2lhelpers import fit\n"
        "X, y = torch.randn(40, 2), torch.arange(40) % 2\n"
        "batches = [(X[i:i + 10], y[i:i + 10]) for i in range(0, 40, 10)]\n"
        "m = nn.Linear(2, 2)\n"
        "fit(m, batches, nn.CrossEntropyLoss(), torch.optim.SGD(m.parameters(), lr=0.1), 1, plot=False)\n"
    )
    env = {k: v for k, v in __import__("os").environ.items() if k != "TQDM_DISABLE"}
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "4/4" in result.stderr

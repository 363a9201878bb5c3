import copy
import time

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from tests.conftest import blob_batches
from d2lhelpers import (History, ImageBatches, ParameterError, accuracy, evaluate_accuracy, fit, model_device,
                        seed_everything)


def test_accuracy_counts_argmax_hits():
    logits = torch.tensor([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4]])
    assert accuracy(logits, torch.tensor([1, 0, 0, 0])) == pytest.approx(0.75)


@pytest.mark.parametrize("logits, labels, match", [
    (torch.zeros(4), torch.zeros(4, dtype=torch.long), r"`logits` must be logits of shape \(N, classes\)"),
    (torch.zeros(4, 2), torch.zeros(3, dtype=torch.long), r"`labels` must be labels of shape \(N,\).*\(3,\)"),
    (torch.zeros(0, 2), torch.zeros(0, dtype=torch.long), "`logits` must be a non-empty batch, got an empty one"),
    (torch.zeros(4, 2), torch.zeros(4, 1, dtype=torch.long), r"`labels` must be labels of shape \(N,\)"),
    (torch.zeros(4, 2), np.zeros(4, dtype=np.int64), "`labels` must be a tensor"),
    ([[0.1, 0.9]], torch.zeros(1, dtype=torch.long), "`logits` must be a tensor"),
])
def test_accuracy_bad_inputs(logits, labels, match):
    with pytest.raises(ParameterError, match=match):
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


class _ModeSpy(nn.Module):
    """A linear model that records, at every forward pass, whether it was in training mode."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(2, 2)
        self.modes = []

    def forward(self, X):
        self.modes.append(self.training)
        return self.linear(X)


def test_evaluate_accuracy_uses_eval_mode():
    model = _ModeSpy().train()
    evaluate_accuracy(model, _blobs())
    assert model.modes and not any(model.modes)


def test_evaluate_accuracy_of_a_plain_function():
    def perfect(X):
        return torch.stack([-X[:, 0], X[:, 0]], dim=1)
    assert evaluate_accuracy(perfect, _blobs()) == pytest.approx(1.0, abs=0.02)
    with pytest.raises(ParameterError, match="`batches` must be .*no batches"):
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
    with pytest.raises(ParameterError, match="`loss_fn` must be a loss that returns the mean.*reduction='mean'"):
        fit(model, _blobs(), nn.CrossEntropyLoss(reduction="none"),
            torch.optim.SGD(model.parameters(), lr=0.1), epochs=1, progress=False, plot=False)


@pytest.mark.parametrize("epochs", [0, -1, 1.5, True, "2", None])
def test_fit_rejects_bad_epochs(epochs):
    model = nn.Linear(2, 2)
    with pytest.raises(ParameterError, match="`epochs` must be an integer >= 1"):
        fit(model, _blobs(), nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.1),
            epochs=epochs, progress=False, plot=False)


def test_fit_rejects_a_frozen_model():
    model = nn.Linear(2, 2).requires_grad_(False)
    with pytest.raises(ParameterError, match="`model` must be a model with trainable parameters.*no trainable"):
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



def _sgd(model, lr=0.1):
    return torch.optim.SGD(model.parameters(), lr=lr)


def _fit(model, batches, optimizer=None, epochs=1, **kwargs):
    kwargs = {"progress": False, "plot": False, **kwargs}
    return fit(model, batches, nn.CrossEntropyLoss(), optimizer or _sgd(model), epochs, **kwargs)


# ---------------------------------------------------------------- evaluate_accuracy at its boundary


def test_evaluate_accuracy_rejects_column_labels():
    """Labels of shape (N, 1) broadcast against (N,) predictions and gave an accuracy of 4.0."""
    batches = [(X, y.reshape(-1, 1)) for X, y in _blobs()]
    with pytest.raises(ParameterError, match=r"`batches` must be labels of shape \(N,\).*\(50, 1\) in batch 1.*y\.reshape\(-1\)"):
        evaluate_accuracy(nn.Linear(2, 2), batches)


@pytest.mark.parametrize("model, batches, match", [
    (lambda X: X[:, 0], _blobs(), r"`model` must be logits of shape \(N, classes\), got an output of shape \(50,\) in batch 1"),
    (nn.Linear(2, 2), [(torch.zeros(3, 2),)],
     r"`batches` must be an iterable of \(X, y\) pairs of tensors, got a tuple of 1 \(a tensor of shape \(3, 2\)"),
    (nn.Linear(2, 2), [(torch.zeros(3, 2), [0, 1, 0])], r"`batches` must be an iterable of .*, \[0, 1, 0\]\) as batch 1"),
    (nn.Linear(2, 2), [(torch.zeros(3, 2), torch.zeros(4, dtype=torch.long))], r"`batches` .*labels of shape \(4,\) in batch 1.*one label per example"),
    (nn.Linear(2, 2), 3, "`batches` must be an iterable of"),
    (nn.Linear(2, 2), [(torch.zeros(0, 2), torch.zeros(0, dtype=torch.long))], "`batches` must be an iterable that yields at least one example"),
    ("model", _blobs(), "`model` must be a model or a function of X"),
])
def test_evaluate_accuracy_bad_inputs(model, batches, match):
    with pytest.raises(ParameterError, match=match):
        evaluate_accuracy(model, batches)


def test_model_device_rejects_a_function():
    with pytest.raises(ParameterError, match="`model` must be a torch.nn.Module"):
        model_device(lambda X: X)


# ---------------------------------------------------------------- fit at its boundary


@pytest.mark.parametrize("change, match", [
    (dict(model=lambda X: X), "`model` must be a torch.nn.Module"),
    (dict(loss_fn="cross entropy"), "`loss_fn` must be a loss function.*nn.CrossEntropyLoss"),
    (dict(optimizer="sgd"), r"`optimizer` must be a torch.optim.Optimizer.*torch.optim.SGD\(model.parameters"),
    (dict(train_batches=5), "`train_batches` must be an iterable of"),
    (dict(train_batches=[]), r"`train_batches` must be an iterable that yields at least one batch, got an empty one"),
    (dict(train_batches=iter(_blobs()), epochs=2), "`train_batches` must be re-iterable, for 2 passes.*list"),
    (dict(test_batches=[]), "`test_batches` must be an iterable that yields at least one batch"),
    (dict(test_batches=iter(_blobs()), epochs=3), "`test_batches` must be re-iterable, for 3 passes"),
    (dict(progress="no"), "`progress` must be a bool"),
    (dict(plot=None), "`plot` must be a bool"),
    (dict(title=3), "`title` must be a str"),
])
def test_fit_bad_arguments(change, match):
    model = nn.Linear(2, 2)
    arguments = dict(model=model, train_batches=_blobs(), loss_fn=nn.CrossEntropyLoss(), optimizer=_sgd(model),
                     epochs=1, progress=False, plot=False) | change
    with pytest.raises(ParameterError, match=match):
        fit(**arguments)


def test_fit_rejects_an_optimizer_over_another_model(capsys):
    """It used to "train" for 3 epochs (moving nothing of the model) and print a summary."""
    model, other = nn.Linear(2, 2), nn.Linear(2, 2)
    with pytest.raises(ParameterError, match=r"`optimizer` must be an optimizer over the parameters of `model`, "
                       r"got one holding 2 of its 2 tensors from elsewhere.*model\.parameters\(\)"):
        _fit(model, _blobs(), _sgd(other), epochs=3)
    assert capsys.readouterr().out == ""


def test_fit_rejects_an_optimizer_over_a_copy():
    model = nn.Linear(2, 2)
    optimizer = _sgd(model)
    with pytest.raises(ParameterError, match="`optimizer` .*from elsewhere"):
        _fit(copy.deepcopy(model), _blobs(), optimizer)


def test_fit_rejects_an_optimizer_without_trainable_parameters():
    model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2))
    model[0].requires_grad_(False)
    with pytest.raises(ParameterError, match="`optimizer` must be an optimizer holding at least one trainable"):
        _fit(model, _blobs(), _sgd(model[0]))


def test_fit_accepts_an_optimizer_over_part_of_the_model():
    model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2))
    before = model[0].weight.detach().clone()
    _fit(model, _blobs(), _sgd(model[1]))
    assert torch.equal(model[0].weight, before)


def test_fit_stops_when_the_loss_becomes_nan(capsys):
    calls = []

    def loss_fn(logits, y):  # NaN from the 7th step on: epoch 2 (4 batches an epoch), step 3
        calls.append(1)
        loss = F.cross_entropy(logits, y)
        return loss * float("nan") if len(calls) >= 7 else loss

    model = nn.Linear(2, 2)
    with pytest.raises(FloatingPointError, match=r"became nan at step 3 of epoch 2.*learning rate \(it is 0.1\).*clip"):
        fit(model, _blobs(), loss_fn, _sgd(model), 5, progress=False, plot=False)
    assert len(calls) == 8, "fit stops at the end of the epoch, not after 5 epochs"
    assert "examples/s" not in capsys.readouterr().out, "no summary of a diverged run"


def test_fit_stops_when_a_huge_learning_rate_diverges():
    seed_everything(0)
    model = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 2))
    with pytest.raises(FloatingPointError, match=r"training loss became (nan|inf) at step \d+ of epoch \d"):
        _fit(model, _blobs(), _sgd(model, lr=1e20), epochs=5)


def test_fit_rejects_an_epoch_without_batches():
    """A generator runs out after one pass; an empty list used to raise ZeroDivisionError."""
    model = nn.Linear(2, 2)
    with pytest.raises(ParameterError, match="`train_batches` must be an iterable that yields at least one batch "
                       "every epoch, got no batch in epoch 1"):
        _fit(model, (batch for batch in []))


def test_fit_rejects_an_empty_batch():
    batches = _blobs() + [(torch.zeros(0, 2), torch.zeros(0, dtype=torch.long))]
    with pytest.raises(ParameterError, match=r"`train_batches` must be batches of at least one example, got an empty "
                       r"batch \(labels of shape \(0,\)\) as batch 5 of epoch 1"):
        _fit(nn.Linear(2, 2), batches)


@pytest.mark.parametrize("batches, match", [
    ([(X, y.reshape(-1, 1)) for X, y in _blobs()], r"`train_batches` must be labels of shape \(N,\).*\(50, 1\) in batch 1 of epoch 1"),
    ([(X, y[:10]) for X, y in _blobs()], r"`train_batches` .*\(10,\) in batch 1 of epoch 1"),
    ([(X,) for X, y in _blobs()], r"`train_batches` must be an iterable of \(X, y\) pairs of tensors.*as batch 1 of epoch 1"),
])
def test_fit_rejects_bad_batches(batches, match):
    with pytest.raises(ParameterError, match=match):
        _fit(nn.Linear(2, 2), batches)


def test_fit_rejects_a_model_without_class_logits():
    model = nn.Sequential(nn.Linear(2, 1), nn.Flatten(0))
    with pytest.raises(ParameterError, match=r"`model` must be logits of shape \(N, classes\), got an output of shape \(50,\)"):
        _fit(model, _blobs())


def test_fit_accepts_numpy_epochs():
    assert len(_fit(nn.Linear(2, 2), _blobs(), epochs=np.int64(2)).train_loss) == 2


# ---------------------------------------------------------------- what fit does, pinned by behaviour


def test_fit_trains_in_training_mode():
    model = _ModeSpy().eval()
    _fit(model, _blobs(), epochs=2)
    assert len(model.modes) == 8 and all(model.modes), "every training step runs in train() mode"


def test_fit_weights_the_epoch_loss_by_batch_size():
    g = torch.Generator().manual_seed(0)
    X = torch.randn(45, 2, generator=g)
    y = (X[:, 1] > X[:, 0]).long()
    y[:5] = 1 - y[:5]  # the small first batch is all wrong: a high loss that the mean must weigh by 5, not 1/3
    batches = [(X[:5], y[:5]), (X[5:35], y[5:35]), (X[35:], y[35:])]  # 5, 30 and 10 examples
    model = nn.Linear(2, 2)
    with torch.no_grad():
        model.weight.copy_(torch.eye(2))
        model.bias.zero_()
        expected = F.cross_entropy(model(X), y).item()  # the mean over all 45 examples
        mean_of_means = sum(F.cross_entropy(model(Xb), yb).item() for Xb, yb in batches) / 3
        expected_acc = (model(X).argmax(dim=1) == y).float().mean().item()
    assert abs(expected - mean_of_means) > 1e-3, "the batches must tell the two means apart"
    history = _fit(model, batches, _sgd(model, lr=0.0))  # lr 0: the model stays as it was measured
    assert history.train_loss == [pytest.approx(expected, rel=1e-6)]
    assert history.train_acc == [pytest.approx(expected_acc)]
    assert history.examples == [45]


def test_fit_evaluates_on_the_test_batches():
    train = _blobs()
    test = [(X, 1 - y) for X, y in _blobs(seed=1)]  # flipped labels: a good model is wrong on all of them
    seed_everything(0)
    model = nn.Linear(2, 2)
    history = _fit(model, train, _sgd(model, lr=0.5), epochs=2, test_batches=test)
    assert history.test_acc[-1] == evaluate_accuracy(model, test)
    assert history.train_acc[-1] > 0.9 and history.test_acc[-1] < 0.1


class _SlowBatches:
    """Batches that take a known time to load: the wall clock of an epoch must include it."""

    def __init__(self, batches, seconds_per_batch):
        self.batches, self.seconds_per_batch = batches, seconds_per_batch

    def __len__(self):
        return len(self.batches)

    def __iter__(self):
        for batch in self.batches:
            time.sleep(self.seconds_per_batch)
            yield batch


def test_fit_counts_data_loading_in_the_wall_clock():
    slow = _SlowBatches(_blobs(), 0.02)
    history = _fit(nn.Linear(2, 2), slow, epochs=2)
    loading_per_epoch = 4 * 0.02
    assert all(seconds >= loading_per_epoch for seconds in history.epoch_seconds)
    assert history.total_seconds >= 2 * loading_per_epoch
    assert history.examples_per_s <= 400 / (2 * loading_per_epoch)


# ---------------------------------------------------------------- epochs of ImageBatches in fit


class _EpochSpy(list):
    def __init__(self, batches):
        super().__init__(batches)
        self.epochs = []

    def set_epoch(self, epoch):
        self.epochs.append(epoch)


def test_fit_sets_the_epoch_of_the_batches():
    batches = _EpochSpy(_blobs())
    _fit(nn.Linear(2, 2), batches, epochs=3)
    assert batches.epochs == [0, 1, 2]


def _image_batches():
    g = torch.Generator().manual_seed(0)
    images = torch.randint(0, 256, (60, 4, 4), dtype=torch.uint8, generator=g)
    return ImageBatches(images, (images[:, 0, 0] > 127).long(), 16, shuffle=True, seed=3)


def test_two_fits_over_the_same_image_batches_train_identically():
    batches = _image_batches()
    seed_everything(0)
    initial = nn.Sequential(nn.Flatten(), nn.Linear(16, 2))
    first, second = copy.deepcopy(initial), copy.deepcopy(initial)
    _fit(first, batches, _sgd(first, lr=0.5), epochs=3)
    for _ in batches:  # a manual pass, and a peek, in between
        pass
    next(iter(batches))
    _fit(second, batches, _sgd(second, lr=0.5), epochs=3)
    assert all(torch.equal(a, b) for a, b in zip(first.parameters(), second.parameters()))
    fresh = copy.deepcopy(initial)
    _fit(fresh, _image_batches(), _sgd(fresh, lr=0.5), epochs=3)
    assert all(torch.equal(a, b) for a, b in zip(first.parameters(), fresh.parameters()))

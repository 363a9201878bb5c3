import copy

import numpy as np
import pytest
import torch
from torch import nn

from tests.conftest import blob_batches, idx_bytes
from d2lhelpers import (Accumulator, ParameterError, baseline, compare_training_loops, fit, init_he, init_xavier, lenet,
                        train_ch6_style)
from d2lhelpers.baseline import d2l_accuracy, d2l_evaluate_accuracy


def test_lenet_shapes_and_parameter_count():
    model = lenet()
    assert model(torch.zeros(3, 1, 28, 28)).shape == (3, 10)
    assert sum(p.numel() for p in model.parameters()) == 61_706  # d2l's LeNet
    assert isinstance(model[1], nn.Sigmoid) and isinstance(model[2], nn.AvgPool2d)
    modern = lenet(nn.ReLU, nn.MaxPool2d)
    assert isinstance(modern[1], nn.ReLU) and isinstance(modern[2], nn.MaxPool2d)


def test_lenet_rejects_wrong_input_and_class_count():
    with pytest.raises(RuntimeError):
        lenet()(torch.zeros(2, 3, 28, 28))
    with pytest.raises(ValueError, match="at least two classes"):
        lenet(num_classes=1)


@pytest.mark.parametrize("kwargs, match", [
    (dict(activation=nn.ReLU()), r"`activation` must be a subclass of torch.nn.Module \(the class itself, not an "
     r"instance\), got ReLU\(\). Pass the class without parentheses, e.g. activation=nn.ReLU"),
    (dict(pool="max"), "`pool` must be a subclass of torch.nn.Module.*got 'max'.*pool=nn.MaxPool2d"),
    (dict(activation=int), "`activation` must be a subclass of torch.nn.Module.*got <class 'int'>"),
    (dict(num_classes=1), "`num_classes` must be an integer >= 2, got 1"),
    (dict(num_classes=10.0), "`num_classes` must be an integer >= 2, got 10.0"),
])
def test_lenet_bad_arguments(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        lenet(**kwargs)


def test_lenet_accepts_numpy_class_counts_and_init_xavier_needs_a_module():
    assert lenet(num_classes=np.int64(5))(torch.zeros(1, 1, 28, 28)).shape == (1, 5)
    with pytest.raises(ParameterError, match=r"`module` must be a torch.nn.Module, got 3. Use it as model.apply"):
        init_xavier(3)


def test_init_xavier_touches_only_linear_and_conv_weights():
    model = lenet()
    biases = [m.bias.clone() for m in model if isinstance(m, (nn.Linear, nn.Conv2d))]
    torch.manual_seed(0)
    model.apply(init_xavier)
    linear = model[7]
    bound = (6 / (linear.in_features + linear.out_features)) ** 0.5
    assert linear.weight.abs().max() <= bound
    assert all(torch.equal(b, m.bias) for b, m in zip(biases, [m for m in model if isinstance(m, (nn.Linear, nn.Conv2d))]))


def test_init_he_gives_variance_two_over_fan_in_and_zero_biases():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(16, 64, 3), nn.BatchNorm2d(64), nn.ReLU(), nn.Flatten(), nn.LazyLinear(500))
    model(torch.zeros(1, 16, 8, 8))
    bn_weight = model[1].weight.clone()
    model.apply(init_he)
    conv, linear = model[0], model[4]
    for layer, fan_in in ((conv, 16 * 3 * 3), (linear, 64 * 6 * 6)):
        assert abs(layer.weight.var().item() * fan_in / 2 - 1) < 0.1
        assert torch.count_nonzero(layer.bias) == 0
    assert torch.equal(model[1].weight, bn_weight)  # batch normalization keeps its own init


def test_init_he_needs_a_module():
    with pytest.raises(ParameterError, match=r"`module` must be a torch.nn.Module, got 'x'. Use it as model.apply\(init_he\)"):
        init_he("x")


def test_accumulator_sums_python_floats():
    metric = Accumulator(2)
    metric.add(1, torch.tensor(2.5))
    metric.add(0.5, 1)
    assert metric[0] == 1.5 and metric[1] == 3.5 and isinstance(metric[1], float)
    with pytest.raises(ValueError, match="Accumulator of 2 got 1"):
        metric.add(1)


def test_d2l_accuracy_counts_hits():
    assert d2l_accuracy(torch.tensor([[0.1, 0.9], [0.8, 0.2]]), torch.tensor([1, 1])) == 1.0


def _blob_batches(seed=0, n=256):
    return blob_batches(seed, n, 64)


def test_train_ch6_style_learns_and_separates_its_two_throughputs():
    torch.manual_seed(0)
    model = nn.Linear(2, 2)
    result = train_ch6_style(model, _blob_batches(), _blob_batches(1), num_epochs=3, lr=0.5)
    assert result["test_acc"] > 0.95
    assert result["wall_examples_per_s"] == pytest.approx(3 * 256 / result["wall_seconds"])
    # d2l's timer covers only the training steps, so it always reports more
    assert result["d2l_examples_per_s"] > result["wall_examples_per_s"]
    with pytest.raises(ValueError, match="num_epochs"):
        train_ch6_style(model, _blob_batches(), _blob_batches(), num_epochs=0, lr=0.1)


def test_both_loops_train_the_same_model_identically():
    """Same initial weights and batches: the two loops compute the same updates."""
    torch.manual_seed(0)
    initial = nn.Linear(2, 2)
    ours, theirs = copy.deepcopy(initial), copy.deepcopy(initial)
    fit(ours, _blob_batches(), nn.CrossEntropyLoss(), torch.optim.SGD(ours.parameters(), lr=0.3), 2,
        progress=False, plot=False)
    train_ch6_style(theirs, _blob_batches(), _blob_batches(), 2, lr=0.3)
    assert torch.allclose(ours.weight, theirs.weight, atol=1e-6)
    assert d2l_evaluate_accuracy(theirs, _blob_batches(1), torch.device("cpu")) > 0.95


def _fake_fashion_root(tmp_path):
    """A data root with Fashion-MNIST-sized IDX files of random images (what the readers check)."""
    raw = tmp_path / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for split, n in [("train", 60_000), ("t10k", 10_000)]:
        (raw / f"{split}-images-idx3-ubyte").write_bytes(idx_bytes(rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)))
        (raw / f"{split}-labels-idx1-ubyte").write_bytes(idx_bytes(rng.integers(0, 10, (n,), dtype=np.uint8)))
    return tmp_path


def test_compare_training_loops_measures_both_loops_from_the_same_weights(tmp_path, monkeypatch):
    starts = {}

    def spy(name, train):
        def recorded(model, *args, **kwargs):
            starts[name] = copy.deepcopy(model.state_dict())
            return train(model, *args, **kwargs)
        return recorded

    monkeypatch.setattr(baseline, "fit", spy("ours", baseline.fit))
    monkeypatch.setattr(baseline, "train_ch6_style", spy("baseline", baseline.train_ch6_style))
    results = compare_training_loops(1, batch_size=64, num_workers=0, train_subset=256, test_subset=128,
                                     root=_fake_fashion_root(tmp_path))
    assert set(results) == {"ours", "baseline"}
    assert set(results["ours"]) == {"examples_per_s", "test_acc", "seconds", "fit_examples_per_s"}
    assert set(results["baseline"]) == {"examples_per_s", "test_acc", "seconds", "d2l_reported_examples_per_s"}
    for loop in results.values():
        assert loop["examples_per_s"] * loop["seconds"] == pytest.approx(256)
        assert 0 <= loop["test_acc"] <= 1
    assert results["baseline"]["d2l_reported_examples_per_s"] > results["baseline"]["examples_per_s"]
    ours, theirs = starts["ours"], starts["baseline"]
    assert list(ours) == list(theirs) and all(torch.equal(ours[key], theirs[key]) for key in ours)
    torch.manual_seed(0)
    assert not torch.equal(ours["0.weight"], lenet()[0].weight)  # Xavier, not PyTorch's default


@pytest.mark.parametrize("kwargs, match", [
    (dict(epochs=0), "`epochs` must be an integer >= 1"), (dict(epochs=1, lr=0.0), "`lr` must be"),
    (dict(epochs=1, batch_size=2.5), "`batch_size` must be an integer"),
    (dict(epochs=1, num_workers=-1), "`num_workers` must be an integer >= 0"),
    (dict(epochs=1, train_subset=0), "`train_subset` must be an integer >= 1 or None"),
])
def test_compare_training_loops_bad_arguments(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        compare_training_loops(**kwargs)

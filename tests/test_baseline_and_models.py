import copy

import pytest
import torch
from torch import nn

from tests.conftest import blob_batches
from d2lhelpers import Accumulator, fit, init_xavier, lenet, train_ch6_style
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
    with pytest.raises(ValueError, match="at least 2"):
        lenet(num_classes=1)


def test_init_xavier_touches_only_linear_and_conv_weights():
    model = lenet()
    biases = [m.bias.clone() for m in model if isinstance(m, (nn.Linear, nn.Conv2d))]
    torch.manual_seed(0)
    model.apply(init_xavier)
    linear = model[7]
    bound = (6 / (linear.in_features + linear.out_features)) ** 0.5
    assert linear.weight.abs().max() <= bound
    assert all(torch.equal(b, m.bias) for b, m in zip(biases, [m for m in model if isinstance(m, (nn.Linear, nn.Conv2d))]))


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

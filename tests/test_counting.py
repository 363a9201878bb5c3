import pytest
import torch
from torch import nn

from d2lhelpers import ParameterError, flop_count, layer_table, lenet, multiply_adds, param_count


def test_param_count_of_a_linear_layer_and_of_tensors():
    layer = nn.Linear(784, 10)
    assert param_count(layer) == 784 * 10 + 10 == 7_850
    assert param_count([layer.weight, layer.bias]) == 7_850
    layer.bias.requires_grad_(False)
    assert param_count(layer, trainable_only=True) == 7_840
    assert param_count(layer) == 7_850


def test_param_count_counts_a_tied_layer_once():
    shared = nn.Linear(8, 8)
    tied = nn.Sequential(nn.Linear(4, 8), shared, nn.ReLU(), shared)
    assert param_count(tied) == (4 * 8 + 8) + (8 * 8 + 8)
    assert param_count([shared.weight, shared.weight]) == 64


def test_flop_count_of_a_linear_layer_is_two_per_multiply_add():
    layer = nn.Linear(784, 10)
    assert flop_count(layer, torch.zeros(1, 784)) == 2 * 784 * 10
    assert flop_count(layer, torch.zeros(5, 784)) == 5 * 2 * 784 * 10
    assert multiply_adds(layer, torch.zeros(1, 784)) == 784 * 10


@pytest.mark.parametrize("c_i, c_o, k, n, stride", [(2, 3, 2, 3, 1), (3, 64, 3, 32, 1), (16, 16, 3, 112, 4)])
def test_multiply_adds_of_a_convolution_follow_the_formula(c_i, c_o, k, n, stride):
    conv = nn.Conv2d(c_i, c_o, k, stride=stride, device="meta")  # shapes only: free to count
    m = (n - k) // stride + 1
    assert multiply_adds(conv, torch.empty(1, c_i, n, n, device="meta")) == c_i * c_o * k * k * m * m


def test_counting_restores_train_and_eval_modes_and_records_no_graph():
    model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5), nn.Linear(4, 2))
    model.train()
    model[1].eval()  # a mixed state must come back as it was
    X = torch.randn(3, 4, requires_grad=True)
    flop_count(model, X)
    layer_table(model, (4,))
    assert [m.training for m in model.modules()] == [True, True, False, True]
    assert all(p.grad is None for p in model.parameters())


def test_layer_table_of_lenet():
    table = layer_table(lenet(), (1, 28, 28))
    assert table.total_params == 61_706
    assert table.total_multiply_adds == 416_520 and table.total_flops == 2 * 416_520
    assert table.input_shape == (1, 1, 28, 28)
    assert [row.name for row in table.rows] == [str(i) for i in range(12)]
    conv = table.rows[0]
    assert (conv.layer_type, conv.output_shape, conv.params) == ("Conv2d", (1, 6, 28, 28), 156)
    assert conv.multiply_adds == 6 * 28 * 28 * 1 * 5 * 5
    assert table.rows[6].output_shape == (1, 400) and table.rows[6].flops == 0
    assert sum(row.params for row in table.rows) == table.total_params
    assert sum(row.flops for row in table.rows) == table.total_flops


def test_layer_table_text_is_a_fixed_width_table_with_totals():
    text = str(layer_table(lenet(), (1, 28, 28), batch_size=2))
    lines = text.splitlines()
    assert lines[0].split() == ["layer", "type", "output", "shape", "params", "FLOPs"]
    assert lines[1].split() == ["input", "(2,", "1,", "28,", "28)"]
    assert lines[2].split() == ["0", "Conv2d", "(2,", "6,", "28,", "28)", "156", "470,400"]
    assert lines[-1].split() == ["total", "61,706", "1,666,080"]
    assert set(lines[-2]) == {"-"}
    assert len({len(line) for line in lines[:1] + lines[2:]}) == 1  # right-aligned counts: one width
    assert text == str(layer_table(lenet(), (1, 28, 28), batch_size=2))  # deterministic


class Inception(nn.Module):
    """Two parallel branches, concatenated: the rows are its leaf layers."""

    def __init__(self):
        super().__init__()
        self.b1 = nn.Conv2d(3, 4, 1)
        self.b2 = nn.Sequential(nn.Conv2d(3, 2, 1), nn.ReLU(), nn.Conv2d(2, 4, 3, padding=1))

    def forward(self, X):
        return torch.cat([self.b1(X), self.b2(X)], dim=1)


def test_layer_table_of_nested_blocks_names_leaves_by_qualified_name():
    model = nn.Sequential(nn.Sequential(Inception(), nn.ReLU()), nn.Flatten(), nn.Linear(8 * 5 * 5, 3))
    table = layer_table(model, (3, 5, 5))
    assert [row.name for row in table.rows] == ["0.0.b1", "0.0.b2.0", "0.0.b2.1", "0.0.b2.2", "0.1", "1", "2"]
    by_name = {row.name: row for row in table.rows}
    assert by_name["0.0.b2.2"].multiply_adds == 2 * 4 * 3 * 3 * 5 * 5
    assert by_name["0.1"].output_shape == (1, 8, 5, 5)
    assert table.total_params == param_count(model) == sum(row.params for row in table.rows)
    assert table.total_flops == flop_count(model, torch.zeros(1, 3, 5, 5)) == sum(row.flops for row in table.rows)


class OwnWeight(nn.Module):
    """A container with a parameter and a product of its own, outside its leaf layers."""

    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(4, 4))
        self.layer = nn.Linear(4, 4)

    def forward(self, X):
        return self.layer(X) @ self.scale


def test_layer_table_gives_what_no_leaf_owns_a_row_so_rows_sum_to_totals():
    table = layer_table(OwnWeight(), (4,))
    assert [row.name for row in table.rows] == ["layer", "(outside the leaf layers)"]
    assert table.rows[-1].params == 16 and table.rows[-1].flops == 2 * 4 * 4
    assert sum(row.params for row in table.rows) == table.total_params == 36
    single = layer_table(nn.Linear(784, 10), (784,))
    assert [(row.name, row.params, row.flops) for row in single.rows] == [("(model)", 7_850, 2 * 7_840)]


def test_layer_table_of_a_torchvision_model():
    torchvision = pytest.importorskip("torchvision")
    model = torchvision.models.resnet18()
    table = layer_table(model, (3, 64, 64))
    assert table.total_params == 11_689_512
    assert table.total_flops == flop_count(model, torch.zeros(1, 3, 64, 64))
    assert sum(row.flops for row in table.rows) == table.total_flops
    assert table.rows[0].name == "conv1" and table.rows[-1].name == "fc"
    assert "layer1.0.conv1" in {row.name for row in table.rows}


@pytest.mark.parametrize("call, match", [
    (lambda: param_count(torch.zeros(3)), "`module` must be an nn.Module or an iterable of tensors"),
    (lambda: param_count([torch.zeros(3), 3]), "`module` .* got an iterable holding 3"),
    (lambda: param_count(nn.Linear(2, 2), trainable_only="yes"), "`trainable_only` must be a bool"),
    (lambda: flop_count(lambda x: x, torch.zeros(1)), "`model` must be a torch.nn.Module"),
    (lambda: flop_count(nn.Linear(2, 2), [[1.0, 2.0]]), "`example_input` must be a tensor"),
    (lambda: multiply_adds(nn.Linear(2, 2), ()), "`example_input` must be a tensor"),
    (lambda: layer_table(nn.Linear(2, 2), 2), "`input_shape` must be one example's shape"),
    (lambda: layer_table(nn.Linear(2, 2), (0,)), "`input_shape` .* got \\(0,\\)"),
    (lambda: layer_table(nn.Linear(2, 2), (2,), batch_size=0), "`batch_size` must be an integer >= 1"),
    (lambda: layer_table("net", (2,)), "`model` must be a torch.nn.Module"),
])
def test_bad_arguments_are_named(call, match):
    with pytest.raises(ParameterError, match=match):
        call()

import pytest
import torch

from d2lhelpers import ParameterError, corr2d, sgd, squared_loss


def test_squared_loss_is_half_the_squared_error():
    y_hat = torch.tensor([[1.0], [3.0]])
    assert torch.equal(squared_loss(y_hat, torch.tensor([2.0, 1.0])), torch.tensor([[0.5], [2.0]]))
    assert squared_loss(y_hat, torch.tensor([[2.0], [1.0]])).shape == (2, 1)


def test_squared_loss_pairs_a_vector_with_a_column_either_way():
    column, vector = torch.tensor([[1.0], [3.0]]), torch.tensor([2.0, 1.0])
    assert torch.equal(squared_loss(vector, column), torch.tensor([0.5, 2.0]))  # the shape of y_hat
    assert torch.equal(squared_loss(column, vector), torch.tensor([[0.5], [2.0]]))


@pytest.mark.parametrize("y_hat, y, match", [
    (torch.zeros(3, 1), torch.zeros(4), r"`y` must be labels of the shape of y_hat \(3, 1\).*got shape \(4,\)"),
    (torch.zeros(2, 3), torch.zeros(3, 2), r"`y` must be labels of the shape of y_hat \(2, 3\).*got shape \(3, 2\)"),
    (torch.zeros(3), torch.zeros(1, 3), r"`y` .*got shape \(1, 3\)"),
    (torch.zeros(4, 1), torch.zeros(2, 2), r"`y` .*got shape \(2, 2\)"),
    (torch.zeros(2, 1), [0.0, 1.0], "`y` must be a tensor, got"),
    ([0.0, 1.0], torch.zeros(2), "`y_hat` must be a tensor, got"),
])
def test_squared_loss_rejects_mismatched_shapes(y_hat, y, match):
    """(2, 3) against (3, 2) used to be reshaped silently, pairing the wrong numbers."""
    with pytest.raises(ParameterError, match=match):
        squared_loss(y_hat, y)


def test_sgd_steps_against_the_mean_gradient_and_zeroes_it():
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    X = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 0.0]])
    loss = squared_loss(X @ w, torch.zeros(4)).sum()
    loss.backward()
    expected = w.detach() - 0.1 * (X.T @ (X @ w.detach())) / 4
    sgd([w], lr=0.1, batch_size=4)
    assert torch.allclose(w.detach(), expected)
    assert torch.equal(w.grad, torch.zeros(2))


def test_sgd_minimizes_a_linear_regression():
    torch.manual_seed(0)
    X = torch.randn(200, 2)
    y = X @ torch.tensor([2.0, -3.4]) + 4.2
    w = torch.zeros(2, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    for _ in range(200):
        squared_loss(X @ w + b, y).sum().backward()
        sgd([w, b], lr=0.1, batch_size=200)
    assert torch.allclose(w.detach(), torch.tensor([2.0, -3.4]), atol=1e-3)
    assert b.item() == pytest.approx(4.2, abs=1e-3)


@pytest.mark.parametrize("lr, batch_size, match", [
    (0.0, 4, "`lr` must be a finite real number > 0, got 0.0. Pass a positive learning rate"),
    (-0.1, 4, "`lr` must be a finite real number > 0, got -0.1"),
    (float("nan"), 4, "`lr` must be a finite real number > 0, got nan, which is not finite"),
    ("0.1", 4, "`lr` must be a finite real number > 0, got '0.1'"),
    (0.1, 0, r"`batch_size` must be an integer >= 1, got 0. Pass the number of examples whose losses were summed: len\(y\)"),
    (0.1, 2.5, "`batch_size` must be an integer >= 1, got 2.5"),
    (0.1, True, "`batch_size` must be an integer >= 1, got True"),
])
def test_sgd_bad_hyperparameters(lr, batch_size, match):
    with pytest.raises(ParameterError, match=match):
        sgd([torch.zeros(1, requires_grad=True)], lr, batch_size)


def test_sgd_accepts_numpy_numbers():
    import numpy as np
    w = torch.ones(2, requires_grad=True)
    w.sum().backward()
    sgd([w], np.float32(0.5), np.int64(2))
    assert torch.equal(w.detach(), torch.full((2,), 0.75))


def test_sgd_without_backward_is_a_clear_error_and_changes_nothing():
    w, b = torch.ones(2, requires_grad=True), torch.zeros(1, requires_grad=True)
    (w * 2).sum().backward()  # b got no gradient
    with pytest.raises(ParameterError, match=r"`params\[1\]` must be a tensor with a gradient.*Run loss.backward\(\)"):
        sgd([w, b], 0.1, 2)
    assert torch.equal(w.detach(), torch.ones(2)), "w must not be updated when b is bad"
    with pytest.raises(ParameterError, match=r"`params\[0\]` must be a tensor, got 3"):
        sgd([3], 0.1, 2)


def test_corr2d_is_d2ls_example_and_equals_conv2d():
    X, K = torch.arange(9.0).reshape(3, 3), torch.arange(4.0).reshape(2, 2)
    assert torch.equal(corr2d(X, K), torch.tensor([[19.0, 25.0], [37.0, 43.0]]))
    g = torch.Generator().manual_seed(0)
    for n_h, n_w, k_h, k_w in [(5, 5, 3, 3), (6, 8, 1, 2), (7, 4, 2, 3), (9, 9, 5, 1), (4, 4, 4, 4)]:
        X, K = torch.randn(n_h, n_w, generator=g), torch.randn(k_h, k_w, generator=g)
        expected = torch.nn.functional.conv2d(X[None, None], K[None, None])[0, 0]
        assert torch.allclose(corr2d(X, K), expected, atol=1e-5)


def test_corr2d_is_differentiable_in_the_kernel():
    K = torch.ones(1, 2, requires_grad=True)
    corr2d(torch.arange(6.0).reshape(2, 3), K).sum().backward()
    assert torch.equal(K.grad, torch.tensor([[0.0 + 1 + 3 + 4, 1.0 + 2 + 4 + 5]]))


@pytest.mark.parametrize("X, K, match", [
    (torch.zeros(1, 3, 3), torch.zeros(2, 2), r"`X` must be a 2-d tensor, got a tensor of shape \(1, 3, 3\)"),
    (torch.zeros(3, 3), torch.zeros(2), "`K` must be a 2-d tensor"),
    (torch.zeros(3, 3), torch.zeros(4, 2), r"`K` must be a non-empty kernel no larger than the input X \(3, 3\)"),
    (torch.zeros(3, 3), torch.zeros(0, 2), "`K` must be a non-empty kernel"),
    ([[1.0]], torch.zeros(1, 1), "`X` must be a 2-d tensor, got"),
])
def test_corr2d_bad_inputs(X, K, match):
    with pytest.raises(ParameterError, match=match):
        corr2d(X, K)

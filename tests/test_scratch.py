import pytest
import torch

from d2lhelpers import sgd, squared_loss


def test_squared_loss_is_half_the_squared_error():
    y_hat = torch.tensor([[1.0], [3.0]])
    assert torch.equal(squared_loss(y_hat, torch.tensor([2.0, 1.0])), torch.tensor([[0.5], [2.0]]))
    assert squared_loss(y_hat, torch.tensor([[2.0], [1.0]])).shape == (2, 1)


def test_squared_loss_rejects_a_size_mismatch():
    with pytest.raises(ValueError, match="as many predictions as labels"):
        squared_loss(torch.zeros(3, 1), torch.zeros(4))


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


@pytest.mark.parametrize("lr, batch_size, match", [(0.0, 4, "positive"), (0.1, 0, "batch_size"), (0.1, 2.5, "batch_size")])
def test_sgd_bad_hyperparameters(lr, batch_size, match):
    with pytest.raises(ValueError, match=match):
        sgd([torch.zeros(1, requires_grad=True)], lr, batch_size)


def test_sgd_without_backward_is_a_clear_error():
    with pytest.raises(ValueError, match="call loss.backward"):
        sgd([torch.zeros(2, requires_grad=True)], 0.1, 2)

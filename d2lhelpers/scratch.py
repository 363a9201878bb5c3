"""Building blocks that a chapter writes from scratch and later chapters reuse.

Each is taught in full in its chapter (linear regression for the loss and
``sgd``, the convolution chapter for ``corr2d``); later chapters import them
from here instead of copying them.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch

from .validation import Integer, Real, Tensor, check, invalid


def squared_loss(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Per-example squared loss ``(y_hat - y)^2 / 2`` (the notes' l(y, y_hat)).

    The shapes must be equal, or ``(n,)`` against ``(n, 1)`` in either order
    (``y`` is then reshaped to ``y_hat``'s shape, which the result has).

    Raises:
        ParameterError: ``y_hat`` or ``y`` is not a tensor, or their shapes
            differ otherwise (``(2, 3)`` against ``(3, 2)`` is not reshaped).
    """
    y_hat = check("y_hat", y_hat, Tensor(), fix="Pass the predictions as a tensor.")
    y = check("y", y, Tensor(), fix="Pass the labels as a tensor.")
    column = ({y.ndim, y_hat.ndim} == {1, 2} and y.numel() == y_hat.numel()
              and (y if y.ndim == 2 else y_hat).shape[1] == 1)
    if y.shape != y_hat.shape and not column:
        raise invalid("y", f"labels of the shape of y_hat {tuple(y_hat.shape)}, or (n,) against (n, 1)",
                      f"shape {tuple(y.shape)}",
                      fix="Give one label per prediction, in the same layout (y.reshape(y_hat.shape) "
                      "only if they hold the same examples in the same order).")
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params: Iterable[torch.Tensor], lr: float, batch_size: int) -> None:
    """One step of minibatch stochastic gradient descent, from scratch.

    Updates each parameter in place, ``p -= lr * p.grad / batch_size``, then
    zeroes its gradient. Use it after ``loss.sum().backward()``: dividing by
    ``batch_size`` turns the summed gradient into the mean.

    Raises:
        ParameterError: ``lr`` is not a number > 0, ``batch_size`` not an
            integer >= 1, or a parameter is not a tensor with a gradient. All
            are checked before any parameter changes.
    """
    lr = check("lr", lr, Real(low=0, low_open=True), fix="Pass a positive learning rate, such as 0.03.")
    batch_size = check("batch_size", batch_size, Integer(low=1),
                       fix="Pass the number of examples whose losses were summed: len(y).")
    params = list(params)
    for index, param in enumerate(params):
        check(f"params[{index}]", param, Tensor(), fix="Pass the list of parameter tensors, e.g. [w, b].")
        if param.grad is None:
            raise invalid(f"params[{index}]", "a tensor with a gradient", "one whose .grad is None",
                          fix="Run loss.backward() before sgd(), on parameters made with requires_grad=True.")
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


def corr2d(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """2-D cross-correlation of one channel, from scratch (the convolution chapter's ``corr2d``).

    Slides the kernel ``K`` of shape ``(k_h, k_w)`` over the input ``X`` of shape
    ``(n_h, n_w)`` and sums the elementwise product of each window:
    ``Y[i, j] = (X[i:i + k_h, j:j + k_w] * K).sum()``, an output of shape
    ``(n_h - k_h + 1, n_w - k_w + 1)``. This is what ``F.conv2d`` computes for
    one channel. A Python loop over the output, differentiable: for small examples.

    Raises:
        ParameterError: if ``X`` or ``K`` is not a 2-D tensor, or ``K`` is empty
            or larger than ``X`` in either dimension.
    """
    one_channel = "Pass one channel: X[c] of a (c, h, w) image, K[o, c] of a 4-D kernel."
    X = check("X", X, Tensor(ndim=2), fix=one_channel)
    K = check("K", K, Tensor(ndim=2), fix=one_channel)
    k_h, k_w = K.shape
    if not (0 < k_h <= X.shape[0] and 0 < k_w <= X.shape[1]):
        raise invalid("K", f"a non-empty kernel no larger than the input X {tuple(X.shape)}",
                      f"shape {tuple(K.shape)}", fix="Pad X, or use a smaller kernel.")
    Y = torch.zeros(X.shape[0] - k_h + 1, X.shape[1] - k_w + 1,
                    dtype=torch.promote_types(X.dtype, K.dtype), device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + k_h, j:j + k_w] * K).sum()
    return Y

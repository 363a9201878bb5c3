"""Building blocks that a chapter writes from scratch and later chapters reuse.

Each is taught in full in its chapter (linear regression for these); later
chapters import them from here instead of copying them.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch


def squared_loss(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Per-example squared loss ``(y_hat - y)^2 / 2`` (the notes' l(y, y_hat)).

    ``y`` is reshaped to ``y_hat``'s shape, so ``(n,)`` and ``(n, 1)`` labels
    both work; any other mismatch in size is an error.
    """
    if y_hat.numel() != y.numel():
        raise ValueError(
            f"squared_loss needs as many predictions as labels, got {tuple(y_hat.shape)} "
            f"and {tuple(y.shape)}.")
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params: Iterable[torch.Tensor], lr: float, batch_size: int) -> None:
    """One step of minibatch stochastic gradient descent, from scratch.

    Updates each parameter in place, ``p -= lr * p.grad / batch_size``, then
    zeroes its gradient. Use it after ``loss.sum().backward()``: dividing by
    ``batch_size`` turns the summed gradient into the mean.
    """
    if lr <= 0:
        raise ValueError(f"The learning rate must be positive, got {lr}.")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}.")
    with torch.no_grad():
        for param in params:
            if param.grad is None:
                raise ValueError(
                    "A parameter has no gradient: call loss.backward() before sgd(), and create "
                    "parameters with requires_grad=True.")
            param -= lr * param.grad / batch_size
            param.grad.zero_()

"""Synthetic data that the linear-network chapters generate: linear targets, polynomial features."""

from __future__ import annotations

import torch

def polynomial_features(x: torch.Tensor, num_features: int) -> torch.Tensor:
    """Columns ``x^i / i!`` for ``i = 0 .. num_features - 1`` (d2l's polynomial regression).

    ``num_features`` counts the constant column, so the highest power is
    ``num_features - 1`` (d2l's ``max_degree = 20`` means 20 features, up to
    ``x^19``). Dividing by ``i!`` keeps high powers from producing huge values
    and gradients.

    Returns:
        A float tensor of shape ``(len(x), num_features)``.
    """
    x = torch.as_tensor(x, dtype=torch.float32)
    if x.ndim == 2 and x.shape[1] == 1:
        x = x[:, 0]
    if x.ndim != 1:
        raise ValueError(f"x must be a vector of shape (n,) or (n, 1), got {tuple(x.shape)}.")
    if isinstance(num_features, bool) or not isinstance(num_features, int) or num_features < 1:
        raise ValueError(f"num_features must be a positive int, got {num_features!r}.")
    powers = torch.arange(num_features, dtype=torch.float32)
    return x.unsqueeze(1) ** powers / torch.exp(torch.lgamma(powers + 1))


def synthetic_regression_data(
    w: torch.Tensor,
    b: float,
    num_examples: int,
    noise: float = 0.01,
    generator: torch.Generator | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Examples of ``y = X w + b + noise`` with ``X ~ N(0, 1)``, ``noise ~ N(0, noise^2)``.

    Returns:
        ``X`` of shape ``(num_examples, len(w))`` and ``y`` of shape ``(num_examples, 1)``.
    """
    w = torch.as_tensor(w, dtype=torch.float32)
    if w.ndim != 1:
        raise ValueError(f"w must be a 1-d weight vector, got shape {tuple(w.shape)}.")
    if isinstance(num_examples, bool) or not isinstance(num_examples, int) or num_examples < 1:
        raise ValueError(f"num_examples must be a positive int, got {num_examples!r}.")
    if noise < 0:
        raise ValueError(f"noise is a standard deviation and must be >= 0, got {noise}.")
    X = torch.normal(0.0, 1.0, (num_examples, len(w)), generator=generator)
    y = X @ w + b
    y += torch.normal(0.0, noise, y.shape, generator=generator) if noise > 0 else 0.0
    return X, y.reshape(-1, 1)

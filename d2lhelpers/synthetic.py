"""Synthetic data that the linear-network chapters generate: linear targets, polynomial features."""

from __future__ import annotations

import torch

from .validation import Instance, Integer, Real, Tensor, check, describe, invalid


def polynomial_features(x: torch.Tensor, num_features: int) -> torch.Tensor:
    """Columns ``x^i / i!`` for ``i = 0 .. num_features - 1`` (d2l's polynomial regression).

    ``num_features`` counts the constant column, so the highest power is
    ``num_features - 1`` (d2l's ``max_degree = 20`` means 20 features, up to
    ``x^19``). Dividing by ``i!`` keeps high powers from producing huge values
    and gradients. Each column is computed from the previous one,
    ``x^i / i! = (x^(i-1) / (i-1)!) * x / i``, in float64 (float32 on Apple's
    MPS), so that neither ``x^i`` nor ``i!`` overflows on the way.

    Returns:
        A float32 tensor of shape ``(len(x), num_features)``.

    Raises:
        ParameterError: ``x`` is not a vector of finite values, ``num_features``
            is not an integer >= 1, or a feature does not fit in float32.
    """
    x = check("x", x, Tensor(ndim=(1, 2), finite=True, convert=True),
              fix="Pass the inputs as a vector of shape (n,).").to(torch.float32)
    if x.ndim == 2 and x.shape[1] == 1:
        x = x[:, 0]
    if x.ndim != 1:
        raise invalid("x", "a vector of shape (n,) or (n, 1)", describe(x),
                      fix="Pass one input per example: x.reshape(-1) if x holds a single column.")
    num_features = check("num_features", num_features, Integer(low=1),
                         fix="Count the constant column too: 4 features are 1, x, x^2/2, x^3/6.")
    wide = x.to(torch.float32 if x.device.type == "mps" else torch.float64)
    columns = [torch.ones_like(wide)]
    for i in range(1, num_features):
        columns.append(columns[-1] * wide / i)
    features = torch.stack(columns, dim=1).to(torch.float32)
    if not bool(torch.isfinite(features).all()):
        raise invalid("x", f"values whose {num_features} features x^i / i! fit in float32",
                      f"values up to |x| = {x.abs().max().item():g}",
                      fix="Rescale x (to [-1, 1], say) or use fewer features.")
    return features


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

    Raises:
        ParameterError: ``w`` is not a 1-d vector of finite values, ``b`` or
            ``noise`` not a finite number (``noise >= 0``), ``num_examples`` not an
            integer >= 1, or ``generator`` not a ``torch.Generator``.
    """
    w = check("w", w, Tensor(ndim=1, finite=True, convert=True),
              fix="Pass one weight per feature, e.g. torch.tensor([2.0, -3.4]).").to(torch.float32)
    b = check("b", b, Real(), fix="Pass the bias as a number, e.g. 4.2.")
    num_examples = check("num_examples", num_examples, Integer(low=1),
                         fix="Pass the number of examples to generate.")
    noise = check("noise", noise, Real(low=0),
                  fix="noise is the standard deviation of the label noise: 0 for none.")
    check("generator", generator, (Instance(torch.Generator), None),
          fix="Pass torch.Generator().manual_seed(seed), or None for the global generator.")
    X = torch.normal(0.0, 1.0, (num_examples, len(w)), generator=generator)
    y = X @ w + b
    y += torch.normal(0.0, noise, y.shape, generator=generator) if noise > 0 else 0.0
    return X, y.reshape(-1, 1)

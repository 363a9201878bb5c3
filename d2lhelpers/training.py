"""Training: accuracy, evaluation and a fit loop for any model, optimizer and loss.

Unlike d2l's ``train_ch6``, :func:`fit` never re-initializes or moves the
caller's model, and its examples per second are wall-clock: data loading,
the optimizer step and the evaluation pass are all inside the measured time.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import torch
from torch import nn
from tqdm.auto import tqdm

from .plotting import LiveCurve

Batches = Iterable[tuple[torch.Tensor, torch.Tensor]]


def accuracy(logits: torch.Tensor, labels: torch.Tensor) -> float:
    """Fraction of rows of ``logits`` whose arg-max equals ``labels``.

    Raises:
        ValueError: if ``logits`` is not ``(N, classes)`` with ``N == len(labels)``.
    """
    if logits.ndim != 2 or labels.ndim != 1 or logits.shape[0] != labels.shape[0]:
        raise ValueError(
            "accuracy expects logits of shape (N, classes) and labels of shape (N,), "
            f"got {tuple(logits.shape)} and {tuple(labels.shape)}.")
    if labels.shape[0] == 0:
        raise ValueError("accuracy of an empty batch is undefined.")
    return (logits.argmax(dim=1) == labels).float().mean().item()


def model_device(model: nn.Module) -> torch.device:
    """The device of the model's first parameter or buffer (CPU if it has none)."""
    for tensor in list(model.parameters()) + list(model.buffers()):
        return tensor.device
    return torch.device("cpu")


@torch.no_grad()
def evaluate_accuracy(model: Callable[[torch.Tensor], torch.Tensor], batches: Batches) -> float:
    """Accuracy of ``model`` over all ``batches``, in evaluation mode.

    An ``nn.Module`` is put in ``eval()`` mode for the pass and then put back in
    the mode it was in, so dropout and batch norm behave and the caller's model
    is left as it was. Plain functions (scratch models) work too.
    """
    is_module = isinstance(model, nn.Module)
    was_training = model.training if is_module else False
    device = model_device(model) if is_module else None
    if is_module:
        model.eval()
    correct, total = 0, 0
    try:
        for X, y in batches:
            if device is not None:
                X, y = X.to(device), y.to(device)
            correct += (model(X).argmax(dim=1) == y).sum().item()
            total += y.numel()
    finally:
        if is_module:
            model.train(was_training)
    if total == 0:
        raise ValueError("evaluate_accuracy got no batches.")
    return correct / total


@dataclass
class History:
    """What :func:`fit` measured, one entry per epoch."""

    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    test_acc: list[float] = field(default_factory=list)
    epoch_seconds: list[float] = field(default_factory=list)
    examples: list[int] = field(default_factory=list)

    @property
    def examples_per_s(self) -> float:
        """Training examples per wall-clock second over all epochs (evaluation included)."""
        return sum(self.examples) / sum(self.epoch_seconds)

    @property
    def total_seconds(self) -> float:
        return sum(self.epoch_seconds)

    def summary(self) -> str:
        test = f", test acc {self.test_acc[-1]:.3f}" if self.test_acc else ""
        return (f"{len(self.train_loss)} epochs: train loss {self.train_loss[-1]:.3f}, "
                f"train acc {self.train_acc[-1]:.3f}{test}; {self.examples_per_s:,.0f} examples/s "
                f"wall clock (data, training and evaluation) in {self.total_seconds:.1f} s")


def fit(
    model: nn.Module,
    train_batches: Batches,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    optimizer: torch.optim.Optimizer,
    epochs: int,
    *,
    test_batches: Batches | None = None,
    progress: bool = True,
    plot: bool = True,
    title: str = "Training curves",
) -> History:
    """Train ``model`` in place for ``epochs`` and return the :class:`History`.

    The model is neither re-initialized nor moved: batches are moved to the
    device of its parameters. ``loss_fn`` must return the mean loss of a batch
    (a scalar), as ``nn.CrossEntropyLoss()`` does by default. Shows a
    ``tqdm.auto`` progress bar and a :class:`LiveCurve` (set ``progress`` /
    ``plot`` to ``False`` to turn them off; ``$TQDM_DISABLE=1`` also hides the bar,
    which is how published notebooks avoid a frozen progress widget).
    """
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive int, got {epochs!r}.")
    if not any(p.requires_grad for p in model.parameters()):
        raise ValueError("The model has no trainable parameters.")
    device = model_device(model)
    history = History()
    curve = None
    if plot:
        series = ["train loss", "train acc"] + (["test acc"] if test_batches is not None else [])
        curve = LiveCurve("epoch", series, title=title, xlim=(0.5, epochs + 0.5))
    steps_per_epoch = len(train_batches) if hasattr(train_batches, "__len__") else None
    total = steps_per_epoch * epochs if steps_per_epoch is not None else None
    # TQDM_DISABLE=1 (set by the notebook pipeline and by pytest) hides the bar: read it
    # here, because tqdm's notebook bar overrides the variable with its own default.
    hidden = not progress or os.environ.get("TQDM_DISABLE", "").strip().lower() in ("1", "true", "yes")
    with tqdm(total=total, unit="batch", leave=False, disable=hidden) as bar:
        for epoch in range(1, epochs + 1):
            started = time.perf_counter()
            model.train()
            loss_sum = torch.zeros((), device=device)
            correct = torch.zeros((), device=device)
            seen = 0
            for X, y in train_batches:
                X, y = X.to(device), y.to(device)
                logits = model(X)
                loss = loss_fn(logits, y)
                if loss.ndim != 0:
                    raise ValueError(
                        f"loss_fn returned shape {tuple(loss.shape)}; fit needs the mean loss "
                        "of the batch (a scalar): use reduction='mean'.")
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                with torch.no_grad():
                    loss_sum += loss.detach() * y.shape[0]
                    correct += (logits.argmax(dim=1) == y).sum()
                seen += y.shape[0]
                bar.update(1)
            train_loss, train_acc = loss_sum.item() / seen, correct.item() / seen
            test_acc = evaluate_accuracy(model, test_batches) if test_batches is not None else None
            history.epoch_seconds.append(time.perf_counter() - started)
            history.examples.append(seen)
            history.train_loss.append(train_loss)
            history.train_acc.append(train_acc)
            if test_acc is not None:
                history.test_acc.append(test_acc)
            bar.set_postfix(loss=f"{train_loss:.3f}", test_acc=f"{test_acc:.3f}" if test_acc else "-")
            if curve is not None:
                values = {"train loss": train_loss, "train acc": train_acc}
                if test_acc is not None:
                    values["test acc"] = test_acc
                curve.add(epoch, **values)
    print(history.summary())
    return history

"""Training: accuracy, evaluation and a fit loop for any model, optimizer and loss.

Unlike d2l's ``train_ch6``, :func:`fit` never re-initializes or moves the
caller's model, and its examples per second are wall-clock: data loading,
the optimizer step and the evaluation pass are all inside the measured time.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import torch
from torch import nn
from tqdm.auto import tqdm

from .plotting import LiveCurve
from .validation import Instance, Integer, Tensor, check, describe, invalid

Batches = Iterable[tuple[torch.Tensor, torch.Tensor]]

_BUILD_OPTIMIZER = ("Build the optimizer over this model's parameters, after any copy or .to(): "
                    "torch.optim.SGD(model.parameters(), lr=0.1).")


def _check_logits_labels(logits: torch.Tensor, labels: torch.Tensor, *, logits_name: str,
                         labels_name: str, where: str = "") -> None:
    """Logits ``(N, classes)`` and labels ``(N,)``, or a :class:`ParameterError` naming the culprit."""
    where = f" in {where}" if where else ""
    if logits.ndim != 2:
        raise invalid(logits_name, "logits of shape (N, classes)",
                      f"an output of shape {tuple(logits.shape)}{where}",
                      fix="End the model with one output per class, e.g. nn.Linear(..., num_classes).")
    if labels.ndim != 1 or labels.shape[0] != logits.shape[0]:
        flat = labels.numel() == logits.shape[0]
        raise invalid(labels_name, f"labels of shape (N,) with one class index per row of the logits "
                      f"{tuple(logits.shape)}", f"labels of shape {tuple(labels.shape)}{where}",
                      fix="Flatten the labels with y.reshape(-1)." if flat else "Give one label per example.")


def _check_batches(name: str, batches: object, passes: int) -> None:
    """Batches that can be iterated ``passes`` times and are not known to be empty."""
    check(name, batches, Instance(Iterable, description="an iterable of (X, y) batches"),
          fix="Pass a list of (X, y) pairs, an ImageBatches or a DataLoader.")
    if passes > 1 and isinstance(batches, Iterator):
        raise invalid(name, f"re-iterable, for {passes} passes", f"a one-shot iterator ({describe(batches)}) "
                      "that is empty after the first pass",
                      fix="Pass a list (list(batches)), an ImageBatches or a DataLoader.")
    if hasattr(batches, "__len__") and len(batches) == 0:
        raise invalid(name, "an iterable that yields at least one batch", "an empty one (no batches)",
                      fix="Check the data: a subset of size 0, or a batch size larger than a drop_last split?")


def _pairs(batches: Batches, name: str, where: str = "") -> Iterator[tuple[int, torch.Tensor, torch.Tensor]]:
    """``(index, X, y)`` for each batch (from 1), checking that each batch is a pair of tensors."""
    for index, batch in enumerate(batches, start=1):
        if not (isinstance(batch, (tuple, list)) and len(batch) == 2
                and all(isinstance(part, torch.Tensor) for part in batch)):
            raise invalid(name, "an iterable of (X, y) pairs of tensors",
                          f"{describe(batch)} as batch {index}{where}")
        yield index, batch[0], batch[1]


def accuracy(logits: torch.Tensor, labels: torch.Tensor) -> float:
    """Fraction of rows of ``logits`` whose arg-max equals ``labels``.

    Raises:
        ParameterError: if ``logits`` is not ``(N, classes)`` with ``N == len(labels)``
            and ``labels`` of shape ``(N,)``, or the batch is empty.
    """
    check("logits", logits, Tensor())
    check("labels", labels, Tensor())
    _check_logits_labels(logits, labels, logits_name="logits", labels_name="labels")
    if labels.shape[0] == 0:
        raise invalid("logits", "a non-empty batch", "an empty one (0 rows)",
                      fix="The accuracy of no examples is undefined.")
    return (logits.argmax(dim=1) == labels).float().mean().item()


def model_device(model: nn.Module) -> torch.device:
    """The device of the model's first parameter or buffer (CPU if it has none)."""
    check("model", model, Instance(nn.Module))
    for tensor in list(model.parameters()) + list(model.buffers()):
        return tensor.device
    return torch.device("cpu")


@torch.no_grad()
def evaluate_accuracy(model: Callable[[torch.Tensor], torch.Tensor], batches: Batches) -> float:
    """Accuracy of ``model`` over all ``batches``, in evaluation mode.

    An ``nn.Module`` is put in ``eval()`` mode for the pass and then put back in
    the mode it was in, so dropout and batch norm behave and the caller's model
    is left as it was. Plain functions (scratch models) work too.

    Raises:
        ParameterError: ``batches`` yields no batch, or a batch that is not a pair
            ``(X, y)`` with labels ``y`` of shape ``(N,)`` for the model's logits
            ``(N, classes)``; or the model's output is not ``(N, classes)``.
    """
    check("model", model, Instance(Callable, description="a model or a function of X"))
    _check_batches("batches", batches, 1)
    is_module = isinstance(model, nn.Module)
    was_training = model.training if is_module else False
    device = model_device(model) if is_module else None
    if is_module:
        model.eval()
    correct, total = 0, 0
    try:
        for index, X, y in _pairs(batches, "batches"):
            if device is not None:
                X, y = X.to(device), y.to(device)
            logits = model(X)
            _check_logits_labels(logits, y, logits_name="model", labels_name="batches",
                                 where=f"batch {index}")
            correct += (logits.argmax(dim=1) == y).sum().item()
            total += y.numel()
    finally:
        if is_module:
            model.train(was_training)
    if total == 0:
        raise invalid("batches", "an iterable that yields at least one example",
                      "no examples (no batches, or only empty ones)")
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


def _check_optimizer(optimizer: torch.optim.Optimizer, model: nn.Module) -> None:
    """An optimizer over trainable parameters of ``model`` and nothing else."""
    check("optimizer", optimizer, Instance(torch.optim.Optimizer), fix=_BUILD_OPTIMIZER)
    own = {id(p) for p in model.parameters()}
    held = [p for group in optimizer.param_groups for p in group["params"]]
    foreign = sum(id(p) not in own for p in held)
    if foreign:
        raise invalid("optimizer", "an optimizer over the parameters of `model`",
                      f"one holding {foreign} of its {len(held)} tensors from elsewhere "
                      "(another model, or the model before a copy)", fix=_BUILD_OPTIMIZER)
    if not any(p.requires_grad for p in held):
        raise invalid("optimizer", "an optimizer holding at least one trainable parameter of `model`",
                      f"one holding {len(held)} tensors, none with requires_grad=True", fix=_BUILD_OPTIMIZER)


def _check_finite(step_losses: list[torch.Tensor], epoch: int, optimizer: torch.optim.Optimizer) -> None:
    """Raise ``FloatingPointError`` naming the first step of ``epoch`` whose loss is NaN or infinite.

    One synchronization per epoch: the losses stay on the device until then.
    """
    losses = torch.stack(step_losses)
    bad = (~torch.isfinite(losses)).nonzero()
    if bad.numel() == 0:
        return
    step = int(bad[0, 0]) + 1
    lr = optimizer.param_groups[0].get("lr")
    raise FloatingPointError(
        f"The training loss became {losses[step - 1].item()} at step {step} of epoch {epoch}: training "
        f"diverged, and every later step would only train on nonsense. Lower the learning rate"
        f"{f' (it is {lr:g})' if isinstance(lr, (int, float)) else ''}, or clip the gradients with "
        "torch.nn.utils.clip_grad_norm_.")


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

    When ``train_batches`` has ``set_epoch`` (as :class:`~d2lhelpers.ImageBatches`
    has), epoch ``e`` (counted from 0) calls ``train_batches.set_epoch(e)`` first,
    so two calls of ``fit`` over the same batches see the same sequence of
    batches, whatever iterated them before.

    Raises:
        ParameterError: a bad argument, for example an optimizer built over
            another model's parameters, batches that are not ``(X, y)`` pairs with
            labels of shape ``(N,)``, or an epoch that yields no batch.
        FloatingPointError: the training loss became NaN or infinite (checked
            at the end of each epoch, so that the loop never waits for the
            device at every step); the message names the epoch and the step.
    """
    check("model", model, Instance(nn.Module))
    check("loss_fn", loss_fn, Instance(Callable, description="a loss function loss_fn(logits, labels)"),
          fix="Pass a loss such as nn.CrossEntropyLoss().")
    epochs = check("epochs", epochs, Integer(low=1), fix="Train for at least one epoch.")
    _check_batches("train_batches", train_batches, epochs)
    if test_batches is not None:
        _check_batches("test_batches", test_batches, epochs)
    for name, flag in (("progress", progress), ("plot", plot)):
        check(name, flag, Instance(bool))
    check("title", title, Instance(str))
    if not any(p.requires_grad for p in model.parameters()):
        raise invalid("model", "a model with trainable parameters",
                      "one with no trainable parameters (none with requires_grad=True)")
    _check_optimizer(optimizer, model)
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
            if hasattr(train_batches, "set_epoch"):
                train_batches.set_epoch(epoch - 1)
            model.train()
            loss_sum = torch.zeros((), device=device)
            correct = torch.zeros((), device=device)
            seen = 0
            step_losses = []
            for step, X, y in _pairs(train_batches, "train_batches", where=f" of epoch {epoch}"):
                if y.numel() == 0:
                    raise invalid("train_batches", "batches of at least one example",
                                  f"an empty batch (labels of shape {tuple(y.shape)}) as batch {step} "
                                  f"of epoch {epoch}")
                X, y = X.to(device), y.to(device)
                logits = model(X)
                _check_logits_labels(logits, y, logits_name="model", labels_name="train_batches",
                                     where=f"batch {step} of epoch {epoch}")
                loss = loss_fn(logits, y)
                if not isinstance(loss, torch.Tensor) or loss.ndim != 0:
                    raise invalid("loss_fn", "a loss that returns the mean loss of the batch (a scalar)",
                                  f"a loss that returned {describe(loss)}",
                                  fix="Use reduction='mean' (the default of nn.CrossEntropyLoss).")
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                with torch.no_grad():
                    loss_sum += loss.detach() * y.shape[0]
                    correct += (logits.argmax(dim=1) == y).sum()
                step_losses.append(loss.detach())
                seen += y.shape[0]
                bar.update(1)
            if seen == 0:
                raise invalid("train_batches", "an iterable that yields at least one batch every epoch",
                              f"no batch in epoch {epoch}",
                              fix="Pass a list of batches, an ImageBatches or a DataLoader, not an iterator "
                              "that runs out.")
            _check_finite(step_losses, epoch, optimizer)
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

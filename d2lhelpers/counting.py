"""Counting what a network costs: its parameters, its FLOPs, and both per layer.

FLOPs are measured, not derived: PyTorch's ``torch.utils.flop_counter.FlopCounterMode``
records the operators that run in one forward pass (matrix products and
convolutions; activations, pooling and additions of a bias count 0). It counts
a multiply-add as 2 FLOPs, so ``multiply_adds == flops // 2``. Every count
runs in eval mode under ``torch.no_grad()`` and leaves the model's train/eval
mode as it was.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import torch
from torch import nn

from .validation import Instance, Integer, check, describe, invalid

Inputs = torch.Tensor | Sequence[torch.Tensor]


def param_count(module: nn.Module | Iterable[torch.Tensor], *, trainable_only: bool = False) -> int:
    """Number of parameters (scalars) of a module, or of an iterable of tensors.

    A tensor that appears twice (tied weights) counts once, as in
    ``module.parameters()``. With ``trainable_only``, only tensors with
    ``requires_grad`` count.

    Raises:
        ParameterError: if ``module`` is neither an ``nn.Module`` nor an iterable
            of tensors, or ``trainable_only`` is not a bool.
    """
    check("trainable_only", trainable_only, Instance(bool))
    must = "an nn.Module or an iterable of tensors"
    if isinstance(module, nn.Module):
        tensors = list(module.parameters())
    elif isinstance(module, Iterable) and not isinstance(module, torch.Tensor):
        tensors = list(module)
        for tensor in tensors:
            if not isinstance(tensor, torch.Tensor):
                raise invalid("module", must, f"an iterable holding {describe(tensor)}",
                              fix="Pass model.parameters() or a list of parameter tensors.")
    else:
        raise invalid("module", must, describe(module),
                      fix="Pass the model, or a list [W, b] of its parameter tensors.")
    unique = {id(t): t for t in tensors}.values()
    return sum(t.numel() for t in unique if t.requires_grad or not trainable_only)


def flop_count(model: nn.Module, example_input: Inputs) -> int:
    """FLOPs of one forward pass of ``model`` on ``example_input``, as PyTorch counts them.

    ``example_input`` is a tensor, or a tuple of tensors passed as separate
    arguments. The count covers the whole batch: divide by the batch size for
    the FLOPs per example. Tensors on the ``meta`` device (shapes, no data)
    are counted too, at no cost.

    Raises:
        ParameterError: if ``model`` is not an ``nn.Module`` or ``example_input``
            is not a tensor or a non-empty tuple of tensors.
    """
    from torch.utils.flop_counter import FlopCounterMode  # imported on use: keeps import light

    inputs = _check_inputs(model, example_input)
    with _inference(model), FlopCounterMode(display=False) as counter:
        model(*inputs)
    return counter.get_total_flops()


def multiply_adds(model: nn.Module, example_input: Inputs) -> int:
    """Multiply-adds of one forward pass: :func:`flop_count` halved (2 FLOPs each)."""
    return flop_count(model, example_input) // 2


@dataclass(frozen=True)
class LayerRow:
    """One leaf layer of a :class:`LayerTable`.

    ``name`` is the layer's qualified name in the model (``"features.0"``),
    ``output_shape`` the shape of what it returned (``None`` if it never ran),
    ``params`` its parameters (a tensor shared by several layers counts at the
    first) and ``flops`` what it computed.
    """

    name: str
    layer_type: str
    output_shape: tuple | None
    params: int
    flops: int

    @property
    def multiply_adds(self) -> int:
        return self.flops // 2


@dataclass(frozen=True)
class LayerTable:
    """Output shape, parameters and FLOPs of every leaf layer; ``print`` it for a table.

    The rows sum to the totals. Parameters or FLOPs that belong to no leaf
    layer (a parameter owned by a container, a product written in a
    container's ``forward``) get a last row of their own.
    """

    input_shape: tuple[int, ...]
    rows: tuple[LayerRow, ...]
    total_params: int
    total_flops: int

    @property
    def total_multiply_adds(self) -> int:
        return self.total_flops // 2

    def __str__(self) -> str:
        lines = [("layer", "type", "output shape", "params", "FLOPs"),
                 ("input", "", str(self.input_shape), "", "")]
        lines += [(row.name, row.layer_type, "-" if row.output_shape is None else str(row.output_shape),
                   f"{row.params:,}", f"{row.flops:,}") for row in self.rows]
        lines.append(("total", "", "", f"{self.total_params:,}", f"{self.total_flops:,}"))
        widths = [max(len(line[column]) for line in lines) for column in range(5)]
        text = [f"{name:<{widths[0]}}  {kind:<{widths[1]}}  {shape:<{widths[2]}}  "
                f"{params:>{widths[3]}}  {flops:>{widths[4]}}".rstrip()
                for name, kind, shape, params, flops in lines]
        text.insert(-1, "-" * len(text[0]))
        return "\n".join(text)

    def _repr_pretty_(self, printer, cycle: bool) -> None:  # IPython shows the table, not the fields
        printer.text(str(self))


def layer_table(model: nn.Module, input_shape: Sequence[int], *, batch_size: int = 1) -> LayerTable:
    """Run a batch of zeros through ``model`` and tabulate each leaf layer.

    ``input_shape`` is one example's shape without the batch dimension, for
    instance ``(1, 28, 28)``; the batch has ``batch_size`` examples, on the
    model's device and in its dtype. Leaf layers are the modules without
    sub-modules, listed in the order of ``model.named_modules()`` (nested
    blocks and parallel branches included) and named by their
    qualified name. FLOPs come from ``FlopCounterMode.get_flop_counts()``, per
    module, and cover the whole batch.

    Raises:
        ParameterError: if ``model`` is not an ``nn.Module``, ``input_shape`` not
            a non-empty tuple of positive ints, or ``batch_size`` not a positive int.
    """
    from torch.utils.flop_counter import FlopCounterMode  # imported on use: keeps import light

    check("model", model, Instance(nn.Module))
    shape = _check_shape(input_shape)
    batch_size = check("batch_size", batch_size, Integer(low=1))
    X = _zeros_like_model(model, (batch_size, *shape))

    leaves = [(name, module) for name, module in model.named_modules() if next(module.children(), None) is None]
    with _output_shapes(leaves) as outputs, _inference(model), FlopCounterMode(display=False) as counter:
        model(X)

    per_module = counter.get_flop_counts()  # keyed "ModelClass.features.0", the model itself "ModelClass"
    root = type(model).__name__
    seen: set[int] = set()
    rows = []
    for name, module in leaves:
        own = [p for p in module.parameters() if id(p) not in seen]
        seen.update(id(p) for p in own)
        flops = sum(per_module.get(f"{root}.{name}" if name else root, {}).values())
        rows.append(LayerRow(name or "(model)", type(module).__name__, outputs.get(name),
                             sum(p.numel() for p in own), flops))
    total_params, total_flops = param_count(model), counter.get_total_flops()
    rest_params = total_params - sum(row.params for row in rows)
    rest_flops = total_flops - sum(row.flops for row in rows)
    if rest_params or rest_flops:
        rows.append(LayerRow("(outside the leaf layers)", "", None, rest_params, rest_flops))
    return LayerTable(tuple(X.shape), tuple(rows), total_params, total_flops)


@contextmanager
def _output_shapes(leaves: list[tuple[str, nn.Module]]) -> Iterator[dict[str, tuple | None]]:
    """For the block, a hook on each layer that records its output shape under its name."""
    shapes: dict[str, tuple | None] = {}

    def recorder(name: str):
        def hook(module: nn.Module, args: tuple, output: object) -> None:
            shapes.setdefault(name, _shape_of(output))  # the first call, if a layer runs twice
        return hook

    handles = [module.register_forward_hook(recorder(name)) for name, module in leaves]
    try:
        yield shapes
    finally:
        for handle in handles:
            handle.remove()


@contextmanager
def _inference(model: nn.Module) -> Iterator[None]:
    """Eval mode and no_grad for the block; every module's own mode is restored after."""
    modes = [(module, module.training) for module in model.modules()]
    model.eval()
    try:
        with torch.no_grad():
            yield
    finally:
        for module, training in modes:
            module.training = training


def _zeros_like_model(model: nn.Module, shape: tuple[int, ...]) -> torch.Tensor:
    """Zeros on the device and in the dtype of the model's first floating-point tensor."""
    floating = [t for t in itertools.chain(model.parameters(), model.buffers()) if t.is_floating_point()]
    like = floating[0] if floating else torch.zeros(())
    return torch.zeros(shape, device=like.device, dtype=like.dtype)


def _shape_of(output: object) -> tuple | None:
    if isinstance(output, torch.Tensor):
        return tuple(output.shape)
    if isinstance(output, (tuple, list)):
        return tuple(_shape_of(item) for item in output)
    return None


def _check_inputs(model: object, example_input: object) -> tuple[torch.Tensor, ...]:
    check("model", model, Instance(nn.Module))
    inputs = (example_input,) if isinstance(example_input, torch.Tensor) else example_input
    if not isinstance(inputs, (tuple, list)) or not inputs or not all(isinstance(x, torch.Tensor) for x in inputs):
        raise invalid("example_input", "a tensor or a non-empty tuple of tensors", describe(example_input),
                      fix="Pass a batch, for example torch.zeros(1, 1, 28, 28).")
    return tuple(inputs)


def _check_shape(input_shape: object) -> tuple[int, ...]:
    if (not isinstance(input_shape, (tuple, list)) or not input_shape
            or not all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in input_shape)):
        raise invalid("input_shape", "one example's shape, a non-empty tuple of positive ints",
                      describe(input_shape), fix="Leave out the batch dimension: (1, 28, 28) for LeNet.")
    return tuple(input_shape)

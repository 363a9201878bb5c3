"""Models that several chapters share. Each is built step by step in its own chapter."""

from __future__ import annotations

from torch import nn

from .validation import Instance, Integer, Subclass, check


def lenet(activation: type[nn.Module] = nn.Sigmoid, pool: type[nn.Module] = nn.AvgPool2d,
          num_classes: int = 10) -> nn.Sequential:
    """LeNet-5 as d2l builds it, for 1 x 28 x 28 inputs.

    conv 5x5 (6, padding 2) -> activation -> pool 2 -> conv 5x5 (16) -> activation
    -> pool 2 -> flatten -> 120 -> 84 -> ``num_classes``. d2l's defaults are
    sigmoid and average pooling; the modern variant swaps in ``nn.ReLU`` and
    ``nn.MaxPool2d``.

    Raises:
        ParameterError: ``activation`` or ``pool`` is not an ``nn.Module`` class
            (``nn.ReLU()``, an instance, instead of ``nn.ReLU``), or
            ``num_classes`` is not an integer >= 2.
    """
    for name, layer, example in (("activation", activation, "nn.ReLU"), ("pool", pool, "nn.MaxPool2d")):
        check(name, layer, Subclass(nn.Module),
              fix=f"Pass the class without parentheses, e.g. {name}={example}: lenet makes the layers.")
    num_classes = check("num_classes", num_classes, Integer(low=2),
                        fix="A classifier needs at least two classes (Fashion-MNIST has 10).")
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), activation(), pool(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), activation(), pool(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), activation(),
        nn.Linear(120, 84), activation(),
        nn.Linear(84, num_classes),
    )


def init_xavier(module: nn.Module) -> None:
    """Xavier-uniform weights for every ``nn.Linear`` and ``nn.Conv2d`` (use with ``model.apply``).

    d2l's ``train_ch6`` does this inside the training function; here the caller
    does it, visibly, before training.
    """
    check("module", module, Instance(nn.Module), fix="Use it as model.apply(init_xavier).")
    if isinstance(module, (nn.Linear, nn.Conv2d)):
        nn.init.xavier_uniform_(module.weight)


def init_he(module: nn.Module) -> None:
    """He (Kaiming) normal weights for every ``nn.Linear`` and ``nn.Conv2d``, zero biases.

    For ReLU networks (chapter 11): each weight is drawn from
    :math:`\\mathcal{N}(0, 2 / n_\\text{in})`, where :math:`n_\\text{in}` is the layer's
    fan-in (input features, or input channels times the kernel's area), so the
    variance of the activations stays constant from layer to layer. Use it as
    ``model.apply(init_he)``; other modules (batch normalization included) keep
    their own initialization.
    """
    check("module", module, Instance(nn.Module), fix="Use it as model.apply(init_he).")
    if isinstance(module, (nn.Linear, nn.Conv2d)):
        nn.init.kaiming_normal_(module.weight, mode="fan_in", nonlinearity="relu")
        if module.bias is not None:
            nn.init.zeros_(module.bias)

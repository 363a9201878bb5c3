"""Plotting: figures that read in light and dark themes, image grids, a live curve.

Figures are made with ``matplotlib.figure.Figure`` directly, not through
pyplot's global state, and always have an opaque white background.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import torch
from matplotlib.figure import Figure

from .validation import Instance, Integer, Options, Real, Tensor, check, invalid

BOOK_RC = {
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "figure.dpi": 100,
    "axes.grid": True,
    "grid.alpha": 0.3,
}


def new_figure(nrows: int = 1, ncols: int = 1, *, size: tuple[float, float] = (5.0, 3.5),
               sharex: bool | str = False, sharey: bool | str = False,
               **subplot_kw: object) -> tuple[Figure, object]:
    """A figure with an opaque white background and its axes (like ``plt.subplots``).

    ``sharex`` / ``sharey`` share axes as in ``plt.subplots``; other keywords
    (``projection="3d"``, ``aspect="equal"``...) go to every subplot.

    Raises:
        ParameterError: ``nrows`` or ``ncols`` is not an integer >= 1, ``size``
            not two positive numbers, or ``sharex`` / ``sharey`` not a bool or
            one of ``"row"``, ``"col"``, ``"all"``, ``"none"``.
    """
    nrows, ncols = _grid(nrows, ncols)
    size = _pair("size", size, Real(low=0, low_open=True), "two numbers > 0",
                 fix="Pass (width, height) in inches, e.g. (5, 3.5).")
    for name, share in (("sharex", sharex), ("sharey", sharey)):
        check(name, share, Options(True, False, "row", "col", "all", "none"))
    figure = Figure(figsize=size, facecolor="white", layout="constrained")
    axes = figure.subplots(nrows, ncols, sharex=sharex, sharey=sharey, squeeze=True,
                           subplot_kw=subplot_kw or None)
    return figure, axes


def plot_history(history: object, title: str = "") -> Figure:
    """The curves of one training run: loss (left) and accuracy (right) per epoch.

    ``history`` is the :class:`~d2lhelpers.History` that :func:`~d2lhelpers.fit`
    returned, or ``None`` for a run that diverged (``fit`` raised
    ``FloatingPointError``): the figure then says so instead of plotting. The
    right panel shows the training accuracy, the test accuracy if the run had
    test batches, and the last test accuracy in its title.

    Raises:
        ParameterError: ``history`` is neither a ``History`` nor ``None``, or has
            no epoch, or ``title`` is not a string.
    """
    from .training import History  # imported on use: training imports this module

    check("history", history, (Instance(History), None),
          fix="Pass what d2l.fit returned, or None for a run that diverged.")
    check("title", title, Instance(str))
    if history is not None and not history.train_loss:
        raise invalid("history", "a History with at least one epoch", "an empty History",
                      fix="Pass the History of a finished run.")
    figure, (left, right) = new_figure(1, 2, size=(9, 3.3))
    left.set(xlabel="epoch", ylabel="training loss", title=title)
    right.set(xlabel="epoch", ylabel="accuracy", ylim=(0, 1))
    if history is None:
        for ax in (left, right):
            ax.text(0.5, 0.5, "diverged: the loss became NaN", ha="center", transform=ax.transAxes)
        right.set_title("diverged")
        return figure
    epochs = list(range(1, len(history.train_loss) + 1))
    left.plot(epochs, history.train_loss, marker="o")
    left.set_xticks(epochs)
    right.plot(epochs, history.train_acc, marker="o", label="train")
    if history.test_acc:
        right.plot(epochs, history.test_acc, marker="o", label="test")
        right.set_title(f"test accuracy {history.test_acc[-1]:.3f}")
    right.set_xticks(epochs)
    right.legend()
    return figure


def _grid(nrows: int, ncols: int) -> tuple[int, int]:
    fix = "A grid has at least one row and one column."
    return check("nrows", nrows, Integer(low=1), fix=fix), check("ncols", ncols, Integer(low=1), fix=fix)


def _pair(name: str, value: object, number: Real, must: str, *, fix: str = "") -> tuple[float, float] | None:
    """Two numbers that each meet ``number`` (``must`` says so), as a tuple of floats; ``None`` stays."""
    if value is None and must.endswith("or None"):
        return None
    if not isinstance(value, Sequence) or isinstance(value, str) or len(value) != 2:
        raise invalid(name, must, repr(value), fix=fix)
    return tuple(check(f"{name}[{i}]", part, number, fix=fix) for i, part in enumerate(value))


def in_jupyter() -> bool:
    """Whether the code runs in a Jupyter kernel (where figures display inline)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def show_images(images: torch.Tensor, nrows: int, ncols: int, *,
                titles: Sequence[str] | None = None, scale: float = 1.5) -> Figure:
    """A grid of images with optional titles (d2l's ``show_images``).

    Accepts ``(N, H, W)``, ``(N, 1, H, W)``, ``(N, 3, H, W)`` or ``(N, H, W, 3)``
    tensors, uint8 or float in ``[0, 1]``. Needs exactly ``nrows * ncols`` images
    or fewer (the rest of the grid stays empty).

    Raises:
        ParameterError: for another layout, more images than cells, a title
            count that differs from the image count, or a bad grid or scale.
    """
    images = check("images", images, Tensor(convert=True), fix="Pass a batch of images.").detach().cpu()
    nrows, ncols = _grid(nrows, ncols)
    scale = check("scale", scale, Real(low=0, low_open=True), fix="Pass the size of one image in inches.")
    shape = tuple(images.shape)
    if images.ndim == 4 and images.shape[1] in (1, 3):
        images = images.permute(0, 2, 3, 1)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim not in (3, 4) or (images.ndim == 4 and images.shape[-1] != 3):
        raise invalid("images", "of shape (N, H, W), (N, 1|3, H, W) or (N, H, W, 3)", f"shape {shape}")
    if len(images) > nrows * ncols:
        raise invalid("images", f"at most nrows * ncols = {nrows * ncols} images for the {nrows} x {ncols} grid",
                      f"{len(images)} images", fix="Show fewer images (images[:n]), or make the grid larger.")
    if titles is not None and (isinstance(titles, str) or len(titles) != len(images)):
        got = "a string" if isinstance(titles, str) else f"{len(titles)} titles for {len(images)} images"
        raise invalid("titles", "one title per image, or None", got)
    figure = Figure(figsize=(ncols * scale, nrows * scale + 0.3 * (titles is not None)),
                    facecolor="white", layout="constrained")
    axes = figure.subplots(nrows, ncols, squeeze=False).ravel()
    for i, ax in enumerate(axes):
        ax.axis("off")
        if i < len(images):
            ax.imshow(images[i].numpy(), cmap="gray" if images.ndim == 3 else None)
            if titles is not None:
                ax.set_title(titles[i], fontsize=9)
    return figure


def interactive_backend() -> bool:
    """Whether matplotlib's backend draws in a window (not Agg, PDF, SVG...)."""
    import matplotlib
    from matplotlib.backends import BackendFilter, backend_registry
    return matplotlib.get_backend().lower() in backend_registry.list_builtin(BackendFilter.INTERACTIVE)


class LiveCurve:
    """A line plot that updates as numbers arrive, in Jupyter and outside it.

    In a Jupyter kernel the figure is displayed once and then redrawn in place.
    Elsewhere it is redrawn in a window if matplotlib has an interactive backend,
    and written to ``save_to`` (a PNG path) when one is given; with neither, the
    latest values are printed as a line of text, so a script shows progress too.

    Example::

        curve = LiveCurve("epoch", ["train loss", "test acc"], title="Loss falls")
        for epoch in range(1, 11):
            curve.add(epoch, **{"train loss": 0.5, "test acc": 0.8})
    """

    def __init__(self, xlabel: str, series: Sequence[str], *, ylabel: str = "",
                 title: str = "", xlim: tuple[float, float] | None = None,
                 ylim: tuple[float, float] | None = None,
                 save_to: str | Path | None = None, display: bool = True) -> None:
        for name, text in (("xlabel", xlabel), ("ylabel", ylabel), ("title", title)):
            check(name, text, Instance(str))
        if isinstance(series, str) or not isinstance(series, Sequence) or not series:
            raise invalid("series", "a non-empty list of series names", repr(series),
                          fix='Name the lines, e.g. ["train loss", "test acc"].')
        for index, name in enumerate(series):
            check(f"series[{index}]", name, Instance(str))
        if len(set(series)) != len(series):
            raise invalid("series", "distinct names", repr(list(series)))
        xlim = _pair("xlim", xlim, Real(), "two finite numbers (low, high) or None")
        ylim = _pair("ylim", ylim, Real(), "two finite numbers (low, high) or None")
        check("save_to", save_to, (Instance(str, Path, description="a path"), None), fix="Pass a PNG path, or None.")
        check("display", display, Instance(bool))
        self.xlabel, self.ylabel, self.title = xlabel, ylabel, title
        self.xlim, self.ylim = xlim, ylim
        self.save_to = Path(save_to) if save_to is not None else None
        self.display = display
        self.x: dict[str, list[float]] = {name: [] for name in series}
        self.y: dict[str, list[float]] = {name: [] for name in series}
        self._window = display and not in_jupyter() and interactive_backend()
        if self._window:  # a real window: it must belong to pyplot to be shown
            import matplotlib.pyplot as plt
            self.figure = plt.figure(figsize=(5.0, 3.2), facecolor="white", layout="constrained")
            self.axes = self.figure.subplots()
        else:
            self.figure, self.axes = new_figure(size=(5.0, 3.2))
        self._handle = None

    def add(self, x: float, **values: float) -> None:
        """Append one point to each named series and redraw.

        Raises:
            ParameterError: ``x`` or a value is not a finite number, or a name
                is not one of the curve's series. Nothing is appended then.
        """
        x = check("x", x, Real(), fix="Pass the position on the x axis, e.g. the epoch.")
        points = {}
        for name, value in values.items():
            if name not in self.y:
                raise invalid(name, f"one of this curve's series ({', '.join(map(repr, self.y))})",
                              "a series this curve does not have",
                              fix=f"Make the curve with it: LiveCurve(..., [..., {name!r}]).")
            points[name] = check(name, value, Real(), fix="A curve draws finite numbers only.")
        for name, value in points.items():
            self.x[name].append(x)
            self.y[name].append(value)
        self._draw()
        if self.display:
            self._show()

    def _draw(self) -> None:
        ax = self.axes
        ax.cla()
        styles = ["-", "--", "-.", ":"]
        for i, name in enumerate(self.y):
            ax.plot(self.x[name], self.y[name], styles[i % len(styles)], marker="o",
                    markersize=3, label=name)
        ax.set_xlabel(self.xlabel)
        ax.set_ylabel(self.ylabel)
        ax.set_title(self.title)
        if self.xlim:
            ax.set_xlim(*self.xlim)
        if self.ylim:
            ax.set_ylim(*self.ylim)
        ax.grid(True, alpha=0.3)
        ax.legend()

    def _show(self) -> None:
        if self.save_to is not None:
            self.figure.savefig(self.save_to, facecolor="white")
        if in_jupyter():
            from IPython.display import display
            if self._handle is None:
                self._handle = display(self.figure, display_id=True)
            else:
                self._handle.update(self.figure)
            return
        if self._window:
            import matplotlib.pyplot as plt
            plt.pause(0.001)  # shows the window and lets it redraw
        elif self.save_to is None:
            latest = ", ".join(f"{name} {ys[-1]:.4g}" for name, ys in self.y.items() if ys)
            print(f"{self.xlabel} {self.x[next(iter(self.x))][-1]:g}: {latest}", flush=True)

import matplotlib
import pytest
import torch
from matplotlib.colors import to_rgba

import numpy as np

from d2lhelpers import LiveCurve, ParameterError, new_figure, show_images
from d2lhelpers.plotting import in_jupyter, interactive_backend

WHITE = to_rgba("white")


def test_new_figure_has_an_opaque_white_background():
    figure, axes = new_figure(1, 2)
    assert to_rgba(figure.get_facecolor()) == WHITE
    assert len(axes) == 2


def test_new_figure_shares_axes_and_passes_subplot_options():
    figure, axes = new_figure(1, 2, sharey=True, aspect="equal")
    axes[0].set_ylim(0, 5)
    assert axes[1].get_ylim() == (0, 5)
    assert axes[0].get_aspect() == 1.0


@pytest.mark.parametrize("shape", [(4, 8, 8), (4, 1, 8, 8), (4, 3, 8, 8), (4, 8, 8, 3)])
def test_show_images_accepts_common_layouts(shape):
    figure = show_images(torch.rand(shape), 2, 2, titles=list("abcd"))
    assert to_rgba(figure.get_facecolor()) == WHITE
    assert [ax.get_title() for ax in figure.axes] == list("abcd")
    assert len(figure.axes[0].images) == 1


def test_show_images_leaves_extra_cells_empty():
    figure = show_images(torch.rand(3, 8, 8), 2, 2)
    assert [len(ax.images) for ax in figure.axes] == [1, 1, 1, 0]


@pytest.mark.parametrize("images, rows, cols, titles, match", [
    (torch.rand(4, 8), 2, 2, None, r"`images` must be of shape \(N, H, W\).*got shape \(4, 8\)"),
    (torch.rand(4, 2, 8, 8), 2, 2, None, r"`images` must be of shape.*got shape \(4, 2, 8, 8\)"),
    (torch.rand(5, 8, 8), 2, 2, None, "`images` must be at most nrows \\* ncols = 4 images.*got 5 images"),
    (torch.rand(4, 8, 8), 2, 2, ["a"], "`titles` must be one title per image, or None, got 1 titles for 4 images"),
    (torch.rand(4, 8, 8), 2, 2, "abcd", "`titles` must be one title per image, or None, got a string"),
    (torch.rand(4, 8, 8), 0, 2, None, "`nrows` must be an integer >= 1, got 0"),
    (torch.rand(4, 8, 8), 2, 2.0, None, "`ncols` must be an integer >= 1, got 2.0"),
    ("images", 2, 2, None, "`images` must be a tensor"),
])
def test_show_images_rejects_bad_inputs(images, rows, cols, titles, match):
    with pytest.raises(ParameterError, match=match):
        show_images(images, rows, cols, titles=titles)


def test_show_images_takes_numpy_grids_and_rejects_a_bad_scale():
    assert len(show_images(np.random.rand(2, 4, 4), np.int64(1), 2).axes) == 2
    with pytest.raises(ParameterError, match="`scale` must be a finite real number > 0, got 0"):
        show_images(torch.rand(2, 4, 4), 1, 2, scale=0)


@pytest.mark.parametrize("kwargs, match", [
    (dict(nrows=0), "`nrows` must be an integer >= 1, got 0. A grid has at least one row"),
    (dict(ncols=1.5), "`ncols` must be an integer >= 1, got 1.5"),
    (dict(size=(3,)), r"`size` must be two numbers > 0, got \(3,\). Pass \(width, height\) in inches"),
    (dict(size=(0, 2)), r"`size\[0\]` must be a finite real number > 0, got 0"),
    (dict(size="5x3"), "`size` must be two numbers > 0, got '5x3'"),
    (dict(sharex="rows"), "`sharex` must be one of True, False, 'row', 'col', 'all', 'none', got 'rows'"),
    (dict(sharey=1), "`sharey` must be one of True, False"),
])
def test_new_figure_bad_inputs(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        new_figure(**kwargs)


def test_live_curve_keeps_every_point_and_redraws():
    curve = LiveCurve("epoch", ["loss", "acc"], title="t", display=False)
    curve.add(1, loss=1.0, acc=0.5)
    curve.add(2, loss=0.5)
    assert curve.x["loss"] == [1.0, 2.0] and curve.y["acc"] == [0.5]
    lines = curve.axes.get_lines()
    assert [len(line.get_xdata()) for line in lines] == [2, 1]
    assert curve.axes.get_xlabel() == "epoch" and curve.axes.get_title() == "t"


def test_live_curve_outside_jupyter_prints_progress(capsys):
    assert not in_jupyter() and not interactive_backend()  # MPLBACKEND=Agg under pytest
    curve = LiveCurve("epoch", ["loss"])
    curve.add(3, loss=0.25)
    assert capsys.readouterr().out.strip() == "epoch 3: loss 0.25"


def test_live_curve_can_save_each_update(tmp_path, capsys):
    target = tmp_path / "curve.png"
    curve = LiveCurve("step", ["loss"], save_to=target)
    curve.add(1, loss=2.0)
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("args, kwargs, match", [
    (("epoch", []), {}, r"`series` must be a non-empty list of series names, got \[\]"),
    (("epoch", "loss"), {}, "`series` must be a non-empty list of series names, got 'loss'"),
    (("epoch", ["loss", "loss"]), {}, "`series` must be distinct names"),
    (("epoch", ["loss", 3]), {}, r"`series\[1\]` must be a str, got 3"),
    ((3, ["loss"]), {}, "`xlabel` must be a str"),
    (("epoch", ["loss"]), dict(xlim=(1,)), r"`xlim` must be two finite numbers \(low, high\) or None"),
    (("epoch", ["loss"]), dict(ylim=(0, float("nan"))), r"`ylim\[1\]` must be a finite real number, got nan"),
    (("epoch", ["loss"]), dict(save_to=3), "`save_to` must be a path or None, got 3"),
    (("epoch", ["loss"]), dict(display="no"), "`display` must be a bool"),
])
def test_live_curve_bad_arguments(args, kwargs, match):
    with pytest.raises(ParameterError, match=match):
        LiveCurve(*args, **kwargs)


@pytest.mark.parametrize("x, values, match", [
    (2, {"loss": 0.5, "acc": float("nan")}, "`acc` must be a finite real number, got nan"),
    (2, {"loss": 0.5, "acc": "0.9"}, "`acc` must be a finite real number, got '0.9'"),
    (2, {"loss": 0.5, "test acc": 0.9}, r"`test acc` must be one of this curve's series \('loss', 'acc'\)"),
    (float("inf"), {"loss": 0.5}, "`x` must be a finite real number, got inf"),
    ("2", {"loss": 0.5}, "`x` must be a finite real number, got '2'"),
])
def test_live_curve_add_checks_everything_before_changing_anything(x, values, match):
    """A bad value used to leave some series one point longer than the others."""
    curve = LiveCurve("epoch", ["loss", "acc"], display=False)
    curve.add(1, loss=1.0, acc=0.5)
    with pytest.raises(ParameterError, match=match):
        curve.add(x, **values)
    assert curve.x == {"loss": [1.0], "acc": [1.0]} and curve.y == {"loss": [1.0], "acc": [0.5]}
    curve.add(np.int64(2), loss=np.float32(0.25), acc=torch.tensor(0.75))
    assert curve.y == {"loss": [1.0, 0.25], "acc": [0.5, 0.75]}


def test_import_does_not_touch_matplotlib_state():
    assert matplotlib.rcParams["figure.facecolor"] == matplotlib.rcParamsDefault["figure.facecolor"]


def _history(epochs=3, test=True):
    from d2lhelpers import History
    return History(train_loss=[1.0 / (e + 1) for e in range(epochs)], train_acc=[0.5 + 0.1 * e for e in range(epochs)],
                   test_acc=[0.45 + 0.1 * e for e in range(epochs)] if test else [],
                   epoch_seconds=[1.0] * epochs, examples=[100] * epochs)


def test_plot_history_draws_loss_and_accuracies_per_epoch():
    from d2lhelpers import plot_history
    figure = plot_history(_history(), "a run")
    left, right = figure.axes
    assert list(left.lines[0].get_xdata()) == [1, 2, 3] and left.get_title() == "a run"
    assert [line.get_label() for line in right.lines] == ["train", "test"]
    assert right.get_title() == "test accuracy 0.650"
    assert to_rgba(figure.get_facecolor()) == WHITE
    assert [line.get_label() for line in plot_history(_history(test=False)).axes[1].lines] == ["train"]


def test_plot_history_marks_a_diverged_run():
    from d2lhelpers import plot_history
    left, right = plot_history(None, "lr 10").axes
    assert right.get_title() == "diverged" and not right.lines
    assert "diverged" in left.texts[0].get_text()


def test_plot_history_rejects_what_is_not_a_history():
    from d2lhelpers import plot_history
    with pytest.raises(ParameterError, match=r"`history` must be .*History.* Pass what d2l.fit returned"):
        plot_history({"train_loss": [1.0]})
    with pytest.raises(ParameterError, match=r"`history` must be a History with at least one epoch"):
        plot_history(_history(epochs=0))
    with pytest.raises(ParameterError, match="`title`"):
        plot_history(_history(), title=3)

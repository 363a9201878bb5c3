import matplotlib
import pytest
import torch
from matplotlib.colors import to_rgba

from d2lhelpers import LiveCurve, new_figure, show_images
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
    (torch.rand(4, 8), 2, 2, None, "must have shape"),
    (torch.rand(4, 2, 8, 8), 2, 2, None, "must have shape"),
    (torch.rand(5, 8, 8), 2, 2, None, "do not fit"),
    (torch.rand(4, 8, 8), 2, 2, ["a"], "1 titles for 4 images"),
])
def test_show_images_rejects_bad_inputs(images, rows, cols, titles, match):
    with pytest.raises(ValueError, match=match):
        show_images(images, rows, cols, titles=titles)


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


def test_live_curve_bad_inputs():
    with pytest.raises(ValueError, match="at least one series"):
        LiveCurve("epoch", [])
    curve = LiveCurve("epoch", ["loss"], display=False)
    with pytest.raises(ValueError, match=r"Unknown series \['acc'\]"):
        curve.add(1, acc=0.3)


def test_import_does_not_touch_matplotlib_state():
    assert matplotlib.rcParams["figure.facecolor"] == matplotlib.rcParamsDefault["figure.facecolor"]

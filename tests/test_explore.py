"""static_sweep: a precomputed sweep that the static page can explore."""

import re

import pytest

from d2lhelpers import ParameterError, new_figure, static_sweep


def line(slope: float = 1.0, offset: int = 0):
    figure, ax = new_figure(size=(2, 1.5))
    ax.plot([0, 1], [offset, offset + slope])
    ax.set_title(f"slope {slope}")
    return figure, slope * 2 + offset


def test_every_combination_is_a_frame_with_its_outcome():
    sweep = static_sweep(line, slope=[0.5, 1.0, 2.0], offset=[0, 1])
    assert len(sweep.frames) == 6 and all(f.startswith(b"\x89PNG") for f in sweep.frames)
    assert sweep.outcome(slope=2.0, offset=1) == 5.0
    assert sweep.start == (1, 0), "opens on the defaults"
    assert len(set(sweep.frames)) == 6, "each combination draws its own figure"


def test_the_html_opens_on_the_defaults_and_loads_nothing_from_outside():
    sweep = static_sweep(line, slope=[0.5, 1.0, 2.0], alt="a line")
    page = sweep._repr_html_()
    assert page.count('type="range"') == 1 and 'value="1"' in page and 'data-frame="1"' in page
    assert "http" not in page, "no CDN, no external link"
    assert 'alt="a line"' in page


def test_the_html_is_deterministic():
    first, second = static_sweep(line, slope=[1.0, 2.0]), static_sweep(line, slope=[1.0, 2.0])
    assert first._repr_html_() == second._repr_html_()
    ids = re.findall(r'id="(d2l-sweep-[0-9a-f]+)"', first._repr_html_())
    assert len(ids) == 1


@pytest.mark.parametrize("grid, match", [
    ({}, "`grid` must be one or two parameters"),
    ({"slope": [1.0, 2.0], "offset": [0, 1], "colour": [1, 2]}, "`grid` must be one or two"),
    ({"steep": [1.0, 2.0]}, "`steep` must be a parameter of line"),
    ({"slope": [2.0, 3.0]}, "includes its default 1.0"),
    ({"slope": [1.0]}, "`slope` must be a sequence of 2 to 25 values"),
    ({"slope": [float(i) for i in range(30)]}, "2 to 25 values"),
])
def test_bad_grids_name_the_argument(grid, match):
    with pytest.raises(ParameterError, match=match):
        static_sweep(line, **grid)


def test_bad_function_and_dpi():
    with pytest.raises(ParameterError, match="`function`"):
        static_sweep(3, slope=[1.0, 2.0])
    with pytest.raises(ParameterError, match="`function` must be a function returning a matplotlib"):
        static_sweep(lambda slope=1.0: slope, slope=[1.0, 2.0])
    with pytest.raises(ParameterError, match="`dpi`"):
        static_sweep(line, dpi=5, slope=[1.0, 2.0])

    def no_default(slope):
        return line(slope)
    with pytest.raises(ParameterError, match="with a default"):
        static_sweep(no_default, slope=[1.0, 2.0])

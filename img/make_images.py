"""Make the book's own figures (not code outputs) as SVG: ``python img/make_images.py``.

Text is drawn as paths, so the pictures need no font on the reader's machine;
Chinese labels need a CJK font where this script runs (Debian: fonts-noto-cjk).
The output is deterministic (fixed hash salt, no date), so an unchanged script
rewrites identical files. Each figure's alt text is written where it is used.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Circle, FancyBboxPatch  # noqa: E402

HERE = Path(__file__).resolve().parent
BLUE, ORANGE, GREY = "#1f77b4", "#ff7f0e", "#555555"


def _cjk_font() -> str:
    for path in ["/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"]:
        if Path(path).is_file():
            font_manager.fontManager.addfont(path)
            return font_manager.FontProperties(fname=path).get_name()
    return "DejaVu Sans"


def save(figure: Figure, name: str) -> Path:
    matplotlib.rcParams["svg.hashsalt"] = name
    matplotlib.rcParams["svg.fonttype"] = "path"
    path = HERE / name
    figure.savefig(path, format="svg", metadata={"Date": None, "Creator": None})
    return path


def network(ax, layers=(3, 4, 2), radius=0.07) -> None:
    """A small fully-connected network: the book's mark."""
    xs = [0.18 + 0.32 * i for i in range(len(layers))]
    points = [[(x, 0.5 + (j - (n - 1) / 2) * 0.24) for j in range(n)] for x, n in zip(xs, layers)]
    for left, right in zip(points, points[1:]):
        for a in left:
            for b in right:
                ax.plot([a[0], b[0]], [a[1], b[1]], color=GREY, lw=1.2, zorder=1)
    for i, column in enumerate(points):
        for p in column:
            ax.add_patch(Circle(p, radius, color=ORANGE if i == len(points) - 1 else BLUE, zorder=2))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")
    ax.axis("off")


def logo() -> list[Path]:
    made = []
    for name, size in (("logo.svg", 2.0), ("favicon.svg", 0.5)):
        figure = Figure(figsize=(size, size))
        figure.patch.set_alpha(0.0)
        network(figure.add_axes((0, 0, 1, 1)))
        made.append(save(figure, name))
    return made


def ai_applications(font: str) -> Path:
    """The notes' applications of deep learning, grouped by what goes in and comes out."""
    groups = [
        ("images in", BLUE, ["image classification 图片分类", "object detection 物体检测",
                             "segmentation 分割", "self-driving 无人驾驶"]),
        ("images out", ORANGE, ["style transfer 样式迁移", "face synthesis 人脸合成",
                                "text to image 文字生成图片"]),
        ("text and clicks", "#2ca02c", ["text generation (GPT) 文字生成",
                                        "ad clicks 广告点击 (case study)"]),
    ]
    figure = Figure(figsize=(9.0, 3.6), facecolor="white")
    ax = figure.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 9)
    ax.set_ylim(0, 3.6)
    ax.axis("off")
    ax.text(4.5, 3.3, "What the notes list as uses of deep learning (机器学习/深度学习的应用)",
            ha="center", va="center", fontsize=12, family=font)
    for g, (title, colour, items) in enumerate(groups):
        x0 = 0.2 + g * 2.95
        ax.add_patch(FancyBboxPatch((x0, 0.2), 2.65, 2.75, boxstyle="round,pad=0.02,rounding_size=0.12",
                                    facecolor="white", edgecolor=colour, lw=2))
        ax.text(x0 + 1.325, 2.7, title, ha="center", fontsize=11, color=colour, family=font)
        for i, item in enumerate(items):
            ax.text(x0 + 0.15, 2.2 - i * 0.52, "• " + item, fontsize=9.5, family=font, va="center")
    return save(figure, "ai-applications.svg")


def fine_tuning(font: str) -> Path:
    """The fine-tuning picture of the notes: copy every layer but the output layer, add a new head."""
    figure = Figure(figsize=(8.0, 4.6), facecolor="white")
    ax = figure.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 8)
    ax.set_ylim(0, 4.6)
    ax.axis("off")
    layers = ["conv 1", "conv 2", "fully connected 1", "fully connected 2"]
    columns = [(0.5, "Source model 源模型", "Source data set 源数据集\n(Fashion-MNIST, 60,000 images)",
                "Output layer 输出层\n(10 clothing classes)", GREY),
               (5.0, "Target model 目标模型", "Target data set 目标数据集\n(digits, 100 labelled images)",
                "New output layer 新输出层\n(10 digits, random init 随机初始化)", ORANGE)]
    width, height, gap, bottom = 2.5, 0.42, 0.16, 0.95
    for x0, title, data, head, colour in columns:
        ax.text(x0 + width / 2, 4.38, title, ha="center", va="center", fontsize=12, family=font)
        ax.text(x0 + width / 2, 0.42, data, ha="center", va="center", fontsize=9, family=font)
        ax.annotate("", xy=(x0 + width / 2, bottom - 0.02), xytext=(x0 + width / 2, 0.7),
                    arrowprops=dict(arrowstyle="-|>", color=GREY, lw=1.2))
        for i, name in enumerate(layers + [head]):
            y0 = bottom + i * (height + gap)
            last = i == len(layers)
            box_height = height * 1.5 if last else height
            edge = colour if last else BLUE
            ax.add_patch(FancyBboxPatch((x0, y0), width, box_height, boxstyle="round,pad=0.02,rounding_size=0.08",
                                        facecolor="white", edgecolor=edge, lw=2))
            ax.text(x0 + width / 2, y0 + box_height / 2, name, ha="center", va="center", fontsize=9.5,
                    family=font, color="black")
            if colour == GREY and not last:  # the source column: a copy arrow to the target's layer
                y_mid = y0 + height / 2
                ax.annotate("", xy=(5.0 - 0.05, y_mid), xytext=(x0 + width + 0.05, y_mid),
                            arrowprops=dict(arrowstyle="-|>", color=BLUE, lw=1.5))
    ax.text(4.0, bottom + 1.5 * (height + gap) + height / 2, "copy 复制\n(then fine-tune\nat a smaller\nlearning rate)",
            ha="center", va="center", fontsize=9, family=font, color=BLUE,
            bbox=dict(facecolor="white", edgecolor="none", pad=1))
    ax.text(4.0, bottom + len(layers) * (height + gap) + 0.75 * height, "not copied 不复制", ha="center",
            va="center", fontsize=9, family=font, color=GREY)
    return save(figure, "fine_tuning.svg")


def main() -> None:
    font = _cjk_font()
    for path in [*logo(), ai_applications(font), fine_tuning(font)]:
        print(f"wrote {path.relative_to(HERE.parent)} ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()

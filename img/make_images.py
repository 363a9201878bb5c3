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


def _box(ax, x, y, w, h, text, font, edge=BLUE, size=8.5, face="white"):
    ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.02,rounding_size=0.06",
                                facecolor=face, edgecolor=edge, lw=1.6))
    ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=size, family=font, color="black")


def _arrow(ax, start, end, colour=GREY, lw=1.2):
    ax.annotate("", xy=end, xytext=start, arrowprops=dict(arrowstyle="-|>", color=colour, lw=lw,
                                                          shrinkA=0, shrinkB=0))


def _canvas(width: float, height: float):
    figure = Figure(figsize=(width, height), facecolor="white")
    ax = figure.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.axis("off")
    return figure, ax


def layer_chain(name: str, title: str, layers: list[tuple[str, str]], font: str, width: float = 9.0) -> Path:
    """A network as a chain of layers from the input (bottom) to the output (top).

    ``layers`` are ``(label, kind)`` pairs; the kind picks the colour: ``conv`` blue,
    ``pool`` grey, ``dense`` orange, ``other`` black.
    """
    colours = {"conv": BLUE, "pool": GREY, "dense": ORANGE, "other": "black"}
    height_each, gap = 0.34, 0.12
    height = 0.75 + len(layers) * (height_each + gap)
    figure, ax = _canvas(width, height)
    ax.text(width / 2, height - 0.28, title, ha="center", va="center", fontsize=11, family=font)
    box_width, x0 = width - 2.0, 1.0
    for i, (label, kind) in enumerate(layers):
        y = 0.15 + i * (height_each + gap)
        _box(ax, x0, y, box_width, height_each, label, font, edge=colours[kind])
        if i:
            _arrow(ax, (width / 2, y - gap), (width / 2, y))
    return save(figure, name)


def alexnet(font: str) -> list[Path]:
    """d2l's AlexNet as a chain of layers, input at the bottom."""
    return [layer_chain("alexnet.svg", "AlexNet (d2l's layout, 1 x 224 x 224 input)", [
        ("input 1 x 224 x 224", "other"),
        ("conv 11x11, 96 channels, stride 4 -> ReLU   (96 x 54 x 54)", "conv"),
        ("max pool 3x3, stride 2   (96 x 26 x 26)", "pool"),
        ("conv 5x5, 256 channels, padding 2 -> ReLU   (256 x 26 x 26)", "conv"),
        ("max pool 3x3, stride 2   (256 x 12 x 12)", "pool"),
        ("conv 3x3, 384 channels, padding 1 -> ReLU", "conv"),
        ("conv 3x3, 384 channels, padding 1 -> ReLU", "conv"),
        ("conv 3x3, 256 channels, padding 1 -> ReLU   (256 x 12 x 12)", "conv"),
        ("max pool 3x3, stride 2   (256 x 5 x 5)  -> flatten 6,400", "pool"),
        ("dense 4096 -> ReLU -> dropout 0.5   (丢弃法)", "dense"),
        ("dense 4096 -> ReLU -> dropout 0.5", "dense"),
        ("dense 10 (classes)", "dense"),
    ], font)]


def vgg(font: str) -> list[Path]:
    """A VGG block, and VGG-11 as five blocks plus the dense layers."""
    block = layer_chain("vgg_block.svg", "A VGG block: vgg_block(num_convs, in_channels, out_channels)", [
        ("input  c_in x h x w", "other"),
        ("conv 3x3, padding 1, c_out channels -> ReLU", "conv"),
        ("... (num_convs convolutions in all)", "conv"),
        ("conv 3x3, padding 1, c_out channels -> ReLU", "conv"),
        ("max pool 2x2, stride 2   (c_out x h/2 x w/2)", "pool"),
    ], font, width=7.0)
    net = layer_chain("vgg.svg", "VGG-11: conv_arch = ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512))", [
        ("input 1 x 224 x 224", "other"),
        ("VGG block: 1 conv, 64 channels   (64 x 112 x 112)", "conv"),
        ("VGG block: 1 conv, 128 channels   (128 x 56 x 56)", "conv"),
        ("VGG block: 2 convs, 256 channels   (256 x 28 x 28)", "conv"),
        ("VGG block: 2 convs, 512 channels   (512 x 14 x 14)", "conv"),
        ("VGG block: 2 convs, 512 channels   (512 x 7 x 7) -> flatten 25,088", "conv"),
        ("dense 4096 -> ReLU -> dropout 0.5", "dense"),
        ("dense 4096 -> ReLU -> dropout 0.5", "dense"),
        ("dense 10", "dense"),
    ], font)
    return [block, net]


def nin(font: str) -> list[Path]:
    """A NiN block and the NiN network, which ends in global average pooling."""
    return [layer_chain("nin.svg", "NiN (网络中的网络): NiN blocks and global average pooling, no dense layer", [
        ("input 1 x 224 x 224", "other"),
        ("NiN block: conv 11x11 stride 4, 96 ch -> 1x1 conv -> 1x1 conv (each + ReLU)", "conv"),
        ("max pool 3x3, stride 2", "pool"),
        ("NiN block: conv 5x5 padding 2, 256 ch -> 1x1 conv -> 1x1 conv", "conv"),
        ("max pool 3x3, stride 2", "pool"),
        ("NiN block: conv 3x3 padding 1, 384 ch -> 1x1 conv -> 1x1 conv", "conv"),
        ("max pool 3x3, stride 2 -> dropout 0.5", "pool"),
        ("NiN block: conv 3x3 padding 1, 10 ch (one per class) -> 1x1 conv -> 1x1 conv", "conv"),
        ("global average pooling 全局平均池化 (10 x 1 x 1) -> flatten: the 10 class scores", "pool"),
    ], font)]


def inception(font: str) -> list[Path]:
    """The Inception block: four parallel branches concatenated along the channels."""
    figure, ax = _canvas(9.0, 4.2)
    ax.text(4.5, 3.95, "The Inception block: four parallel paths, concatenated along the channels",
            ha="center", va="center", fontsize=11, family=font)
    _box(ax, 3.3, 0.38, 2.4, 0.42, "input (c_in channels)", font, edge="black")
    _box(ax, 2.3, 3.05, 4.4, 0.42, "concatenate channels 通道合并: c1 + c2 + c3 + c4", font, edge="black")
    branches = [
        [("1x1 conv, c1", BLUE)],
        [("1x1 conv (reduce)", BLUE), ("3x3 conv, pad 1, c2", BLUE)],
        [("1x1 conv (reduce)", BLUE), ("5x5 conv, pad 2, c3", BLUE)],
        [("3x3 max pool, pad 1", GREY), ("1x1 conv, c4", BLUE)],
    ]
    width = 1.95
    for i, branch in enumerate(branches):
        x = 0.3 + i * 2.15
        ys = [1.0, 2.0] if len(branch) == 2 else [1.5]
        _arrow(ax, (4.5, 0.8), (x + width / 2, ys[0]))
        for (label, colour), y in zip(branch, ys):
            _box(ax, x, y, width, 0.5, label, font, edge=colour)
        if len(ys) == 2:
            _arrow(ax, (x + width / 2, ys[0] + 0.5), (x + width / 2, ys[1]))
        _arrow(ax, (x + width / 2, ys[-1] + 0.5), (4.5, 3.05))
    ax.text(4.5, 0.14, "every path keeps the height and width; each ends with ReLU", ha="center",
            va="center", fontsize=8, family=font, color=GREY)
    return [save(figure, "inception.svg")]


def batch_norm(font: str) -> list[Path]:
    """Where batch normalization sits: convolution, then BN, then the activation, then pooling."""
    figure, ax = _canvas(9.0, 1.6)
    labels = [("conv / dense", BLUE), ("batch norm 批量归一化\nnormalize, then scale γ, shift β", ORANGE),
              ("activation", "black"), ("pooling", GREY)]
    for i, (label, colour) in enumerate(labels):
        x = 0.25 + i * 2.2
        _box(ax, x, 0.45, 1.85, 0.7, label, font, edge=colour, size=9)
        if i:
            _arrow(ax, (x - 0.35, 0.8), (x, 0.8))
    ax.text(4.5, 0.2, "the order of the notes: 先卷积, 再BatchNorm, 再激活, 再池化", ha="center", va="center",
            fontsize=9, family=font, color=GREY)
    return [save(figure, "batch_norm.svg")]


def residual(font: str) -> list[Path]:
    """Two residual blocks: the identity shortcut, and the 1x1-convolution shortcut that halves and doubles."""
    figure, ax = _canvas(9.0, 4.6)
    ax.text(4.5, 4.35, "Residual blocks 残差块: f(x) = x + g(x)", ha="center", va="center", fontsize=11,
            family=font)
    for x0, stride, shortcut in ((0.2, "", None), (4.4, ", stride 2", "1x1 conv, stride 2\n(c -> 2c channels)")):
        layers = [f"3x3 conv{stride}", "batch norm -> ReLU", "3x3 conv", "batch norm"]
        width, height = 2.1, 0.42
        _box(ax, x0 + 0.6, 0.1, width, height, "x", font, edge="black")
        for i, label in enumerate(layers):
            y = 0.8 + i * 0.62
            _box(ax, x0 + 0.6, y, width, height, label, font, edge=BLUE if "conv" in label else ORANGE)
            _arrow(ax, (x0 + 0.6 + width / 2, y - 0.2), (x0 + 0.6 + width / 2, y))
        ax.text(x0 + 0.6 + width / 2, 0.8 + 4 * 0.62 - 0.05, "⊕  then ReLU", ha="center", va="center",
                fontsize=10, family=font)
        right = x0 + 0.6 + width + 0.9
        ax.plot([x0 + 0.6 + width, right, right], [0.31, 0.31, 0.8 + 4 * 0.62 - 0.05], color=GREY, lw=1.4)
        _arrow(ax, (right, 0.8 + 4 * 0.62 - 0.05), (x0 + 0.6 + width / 2 + 0.5, 0.8 + 4 * 0.62 - 0.05))
        if shortcut:
            _box(ax, right - 0.8, 1.5, 1.6, 0.62, shortcut, font, edge=BLUE, size=7.5)
        ax.text(x0 + 0.6 + width / 2, 4.0, "same side, same channels: x itself" if shortcut is None
                else "side halved, channels doubled", ha="center", va="center", fontsize=9, family=font,
                color=GREY)
    return [save(figure, "resnet_block.svg")]


def receptive_field(font: str) -> list[Path]:
    """A 3x3 window sliding over a 5x5 input, and the 5x5 receptive field of a second layer's output."""
    from matplotlib.patches import Rectangle

    figure, ax = _canvas(9.0, 3.9)
    green, size = "#2ca02c", 0.5

    def grid(x0, y0, n, label):
        for r in range(n):
            for c in range(n):
                ax.add_patch(Rectangle((x0 + c * size, y0 + (n - 1 - r) * size), size, size,
                                       facecolor="white", edgecolor=GREY, lw=0.8))
        ax.text(x0 + n * size / 2, y0 + n * size + 0.22, label, ha="center", va="center", fontsize=9,
                family=font)

    def cell(x0, y0, n, r, c, colour, rows=1, alpha=0.35, dashed=False):
        # Shade (or outline) the rows x rows block whose top-left cell is (r, c) of an n x n grid.
        xy = (x0 + c * size, y0 + (n - r - rows) * size)
        ax.add_patch(Rectangle(xy, rows * size, rows * size, facecolor="none" if dashed else colour,
                               alpha=1 if dashed else alpha, edgecolor=colour, lw=2.2,
                               linestyle="--" if dashed else "-"))
        return xy[0] + rows * size / 2, xy[1] + rows * size / 2

    inputs, first, second = (0.45, 0.75), (4.05, 1.25), (7.55, 1.75)
    grid(*inputs, 5, "input 5 x 5")
    grid(*first, 3, "layer 1: 3 x 3 kernel -> 3 x 3")
    grid(*second, 1, "layer 2: 3 x 3 kernel -> 1 x 1")
    for (r, c), colour in (((0, 0), BLUE), ((1, 2), ORANGE)):
        start = cell(*inputs, 5, r, c, colour, rows=3)
        end = cell(*first, 3, r, c, colour)
        _arrow(ax, (inputs[0] + 5 * size + 0.12, start[1]), (end[0] - 0.3, end[1]), colour=colour, lw=1.6)
    cell(*inputs, 5, 0, 0, green, rows=5, dashed=True)
    cell(*first, 3, 0, 0, green, rows=3, dashed=True)
    end = cell(*second, 1, 0, 0, green)
    _arrow(ax, (first[0] + 3 * size + 0.15, end[1]), (end[0] - 0.35, end[1]), colour=green, lw=1.6)
    ax.text(4.5, 0.42, "each layer-1 output sees a 3 x 3 window of the input: its receptive field 感受野",
            ha="center", va="center", fontsize=9, family=font, color="black")
    ax.text(4.5, 0.14, "the layer-2 output sees all 3 x 3 layer-1 outputs, so its receptive field is the whole "
            "5 x 5 input (green)", ha="center", va="center", fontsize=9, family=font, color=green)
    return [save(figure, "receptive_field.svg")]


def dropout(font: str) -> list[Path]:
    """Dropout on a small MLP: two training steps drop different hidden units; evaluation keeps them all."""
    figure, ax = _canvas(9.0, 3.6)
    ax.text(4.5, 3.38, "Dropout 丢弃法 (p = 0.5 on the hidden layers): each training step trains a random "
            "sub-network", ha="center", va="center", fontsize=10, family=font)
    panels = [("training step 1", ({1, 3}, {0, 2, 4})), ("training step 2", ({0, 4}, {1, 3})),
              ("evaluation: every unit, no scaling", (set(), set()))]
    sizes, radius = (4, 5, 5, 3), 0.11
    for k, (title, (dropped1, dropped2)) in enumerate(panels):
        x0 = 0.15 + k * 3.0
        dropped = [set(), dropped1, dropped2, set()]
        points = [[(x0 + 0.35 + 0.72 * i, 1.78 + (j - (n - 1) / 2) * 0.46) for j in range(n)]
                  for i, n in enumerate(sizes)]
        for i in range(len(sizes) - 1):
            for a, pa in enumerate(points[i]):
                for b, pb in enumerate(points[i + 1]):
                    if a not in dropped[i] and b not in dropped[i + 1]:
                        ax.plot([pa[0], pb[0]], [pa[1], pb[1]], color=GREY, lw=0.7, zorder=1)
        for i, column in enumerate(points):
            for j, (x, y) in enumerate(column):
                if j in dropped[i]:
                    ax.add_patch(Circle((x, y), radius, facecolor="#eeeeee", edgecolor="#aaaaaa", lw=1,
                                        linestyle="--", zorder=2))
                    d = radius * 0.7
                    ax.plot([x - d, x + d], [y - d, y + d], color="#cc3333", lw=1.4, zorder=3)
                    ax.plot([x - d, x + d], [y + d, y - d], color="#cc3333", lw=1.4, zorder=3)
                else:
                    face = "white" if i == 0 else ORANGE if i == len(sizes) - 1 else BLUE
                    ax.add_patch(Circle((x, y), radius, facecolor=face, edgecolor=GREY, lw=1, zorder=2))
        ax.text(x0 + 1.43, 3.0, title, ha="center", va="center", fontsize=9, family=font)
        note = ("dropped units (x) and their edges are gone;\nkept hidden outputs are divided by 1 - p"
                if k < 2 else "the whole network, each hidden output\nas it is (model.eval())")
        ax.text(x0 + 1.43, 0.22, note, ha="center", va="center", fontsize=7.5, family=font, color=GREY)
    for x, label in zip((0.5, 1.22, 1.94, 2.66), ("input", "hidden 1", "hidden 2", "output")):
        ax.text(0.15 + x, 0.6, label, ha="center", va="center", fontsize=7, family=font, color=GREY)
    return [save(figure, "dropout.svg")]


def main() -> None:
    font = _cjk_font()
    for path in [*logo(), ai_applications(font), fine_tuning(font), *alexnet(font), *vgg(font), *nin(font),
                 *inception(font), *batch_norm(font), *residual(font), *receptive_field(font), *dropout(font)]:
        print(f"wrote {path.relative_to(HERE.parent)} ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()

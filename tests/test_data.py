import math
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from torchvision.datasets import FashionMNIST

from d2lhelpers.datasets import FASHION_MNIST_FILES
from d2lhelpers import (
    DatasetCorruptError, DatasetNotFoundError, ImageBatches, ParameterError, d2l_fashion_mnist_loader, data_dir,
    fashion_mnist_batches, fashion_mnist_labels, load_fashion_mnist, polynomial_features,
    random_subset, synthetic_regression_data,
)

# ---------------------------------------------------------------- where the data lives


def test_data_dir_from_env(monkeypatch, tmp_path):
    monkeypatch.setenv("D2L_DATA_DIR", str(tmp_path))
    assert data_dir() == tmp_path.resolve()


def test_data_dir_defaults_to_user_cache(monkeypatch, tmp_path):
    monkeypatch.delenv("D2L_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert data_dir() == tmp_path / "d2l-notes"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert data_dir() == Path.home() / ".cache" / "d2l-notes"
    assert not (tmp_path / "d2l-notes").exists(), "data_dir() must not create anything"


# ---------------------------------------------------------------- real data on disk


def test_load_real_fashion_mnist(fashion_root):
    images, labels = load_fashion_mnist(train=False, root=fashion_root, download=False)
    assert images.shape == (10_000, 28, 28) and images.dtype == torch.uint8
    assert labels.shape == (10_000,) and labels.dtype == torch.int64
    assert torch.bincount(labels).tolist() == [1_000] * 10  # the test split is balanced


def test_root_defaults_to_env(fashion_root, monkeypatch):
    monkeypatch.setenv("D2L_DATA_DIR", str(fashion_root))
    images, _ = load_fashion_mnist(train=False, download=False)
    assert images.shape[0] == 10_000


def test_fashion_mnist_batches_real(fashion_root):
    train, test = fashion_mnist_batches(256, root=fashion_root, train_subset=1_000, test_subset=500)
    assert (train.num_examples, test.num_examples) == (1_000, 500)
    assert len(train) == 4 and len(test) == 2
    X, y = next(iter(train))
    assert X.shape == (256, 1, 28, 28) and X.dtype == torch.float32
    assert 0.0 <= X.min() and X.max() <= 1.0 and y.dtype == torch.int64


# ---------------------------------------------------------------- missing, offline, corrupt


def test_one_missing_file_is_named(fashion_root, tmp_path):
    raw = _copy_split(fashion_root, tmp_path)
    (raw / "train-labels-idx1-ubyte").unlink()
    with pytest.raises(DatasetNotFoundError, match="train-labels-idx1-ubyte missing"):
        load_fashion_mnist(train=False, root=tmp_path, download=False)


def test_missing_without_download_names_the_fix(tmp_path):
    with pytest.raises(DatasetNotFoundError) as error:
        load_fashion_mnist(train=True, root=tmp_path, download=False)
    message = str(error.value)
    assert "D2L_DATA_DIR" in message and "FashionMNIST" in message
    assert "train-images-idx3-ubyte" in message


def test_offline_download_failure_names_the_fix(tmp_path, monkeypatch):
    # port 9 (discard) on loopback refuses at once: the same path as a machine without network
    monkeypatch.setattr(FashionMNIST, "mirrors", ["http://127.0.0.1:9/"])
    with pytest.raises(DatasetNotFoundError) as error:
        load_fashion_mnist(train=False, root=tmp_path)
    message = str(error.value)
    assert "download failed" in message and "D2L_DATA_DIR" in message
    assert "connect to the internet" in message


def test_download_through_torchvision_from_a_local_mirror(tmp_path, monkeypatch, fake_fashion_mirror):
    url, resources, arrays = fake_fashion_mirror
    monkeypatch.setattr(FashionMNIST, "mirrors", [url])
    monkeypatch.setattr(FashionMNIST, "resources", resources)
    root = tmp_path / "data"
    images, labels = load_fashion_mnist(train=False, root=root)
    assert (root / "FashionMNIST" / "raw" / "t10k-images-idx3-ubyte").is_file()
    assert np.array_equal(images.numpy(), arrays["t10k-images-idx3-ubyte"])
    assert np.array_equal(labels.numpy(), arrays["t10k-labels-idx1-ubyte"])
    # second call: already on disk, works with download disabled
    again, _ = load_fashion_mnist(train=False, root=root, download=False)
    assert torch.equal(again, images)


def _copy_split(fashion_root: Path, target: Path) -> Path:
    """A data root with the four real files: the test split copied, the rest linked."""
    raw = target / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    for name in FASHION_MNIST_FILES:
        source = fashion_root / "FashionMNIST" / "raw" / name
        if name.startswith("t10k"):
            shutil.copy(source, raw)
        else:
            (raw / name).symlink_to(source.resolve())
    return raw


def test_truncated_file_is_corrupt(fashion_root, tmp_path):
    raw = _copy_split(fashion_root, tmp_path)
    image_file = raw / "t10k-images-idx3-ubyte"
    image_file.write_bytes(image_file.read_bytes()[:100_000])
    with pytest.raises(DatasetCorruptError, match="delete .*FashionMNIST/raw") as error:
        load_fashion_mnist(train=False, root=tmp_path, download=False)
    assert "not found" not in str(error.value)
    # the intact training split still loads from the same folder
    assert load_fashion_mnist(train=True, root=tmp_path, download=False)[0].shape[0] == 60_000


def test_garbage_file_is_corrupt(fashion_root, tmp_path):
    raw = _copy_split(fashion_root, tmp_path)
    (raw / "t10k-labels-idx1-ubyte").write_bytes(b"this is not an IDX file at all")
    with pytest.raises(DatasetCorruptError, match="cannot be read") as error:
        load_fashion_mnist(train=False, root=tmp_path, download=False)
    assert "not found" not in str(error.value)


def test_wrong_sized_file_is_corrupt(fashion_root, tmp_path):
    from tests.conftest import idx_bytes
    raw = _copy_split(fashion_root, tmp_path)
    (raw / "t10k-images-idx3-ubyte").write_bytes(idx_bytes(np.zeros((10, 28, 28), np.uint8)))
    (raw / "t10k-labels-idx1-ubyte").write_bytes(idx_bytes(np.zeros((10,), np.uint8)))
    with pytest.raises(DatasetCorruptError, match=r"expected \(10000, 28, 28\)"):
        load_fashion_mnist(train=False, root=tmp_path, download=False)


# ---------------------------------------------------------------- labels


def test_text_labels():
    assert fashion_mnist_labels([0, 9, 5]) == ["t-shirt", "ankle boot", "sandal"]
    assert fashion_mnist_labels(torch.tensor([1, 1])) == ["trouser", "trouser"]
    assert fashion_mnist_labels(torch.tensor(3)) == ["dress"]


def test_text_labels_accept_numpy_integers():
    assert fashion_mnist_labels([np.int64(9), np.uint8(0)]) == ["ankle boot", "t-shirt"]
    assert fashion_mnist_labels(np.array([1, 2])) == ["trouser", "pullover"]
    assert fashion_mnist_labels(np.int64(4)) == ["coat"]


@pytest.mark.parametrize("bad, match", [
    ([10], r"`indices\[0\]` must be an integer in 0..9, got 10"), ([-1], r"`indices\[0\]`.*0..9"),
    ([1.5], r"`indices\[0\]` must be an integer in 0..9, got 1.5"), ([3, "4"], r"`indices\[1\]`.*got '4'"),
    ([True], r"`indices\[0\]`.*True \(a bool\)"), (torch.tensor([[1, 2]]), r"`indices\[0\]`.*got \[1, 2\]"),
    (torch.tensor([0.0, 1.0]), r"`indices\[0\]`.*got 0.0"), ("3", r"`indices\[0\]`.*got '3'"),
])
def test_text_labels_reject_bad_indices(bad, match):
    with pytest.raises(ParameterError, match=match):
        fashion_mnist_labels(bad)


@pytest.mark.parametrize("kwargs, match", [
    (dict(train="test"), "`train` must be a bool.*True for the 60,000 training images"),
    (dict(root=3), "`root` must be a path or None"),
    (dict(download="no"), "`download` must be a bool"),
])
def test_load_fashion_mnist_bad_arguments(kwargs, match, tmp_path):
    with pytest.raises(ParameterError, match=match):
        load_fashion_mnist(**{"root": tmp_path, "download": False, **kwargs})


# ---------------------------------------------------------------- batches by indexing


def _toy(n=10, h=4):
    images = torch.arange(n * h * h, dtype=torch.uint8).reshape(n, h, h)
    return images, torch.arange(n) % 3


def test_batches_in_order_cover_everything_once():
    images, labels = _toy()
    batches = ImageBatches(images, labels, batch_size=4)
    assert len(batches) == 3
    shapes = [X.shape for X, _ in batches]
    assert shapes == [(4, 1, 4, 4), (4, 1, 4, 4), (2, 1, 4, 4)]
    first_X, first_y = next(iter(batches))
    assert torch.equal(first_X, images[:4].unsqueeze(1).float() / 255)
    assert torch.equal(first_y, labels[:4])


def _order(batches):
    """The labels of one full pass: with _toy_ordered, the order of the examples."""
    return torch.cat([y for _, y in batches])


def _toy_ordered(n=50):
    return torch.zeros(n, 2, 2, dtype=torch.uint8), torch.arange(n)


def test_shuffle_is_seeded_and_new_each_epoch():
    images, labels = _toy_ordered()
    def epoch_orders(seed):
        batches = ImageBatches(images, labels, 16, shuffle=True, seed=seed)
        return [_order(batches) for _ in range(3)]
    a, b = epoch_orders(0), epoch_orders(0)
    assert all(torch.equal(x, y) for x, y in zip(a, b))
    assert not torch.equal(a[0], a[1]) and not torch.equal(a[1], a[2]), "each full pass draws a new order"
    assert sorted(a[0].tolist()) == list(range(50))
    assert not torch.equal(epoch_orders(1)[0], a[0])


def test_the_order_of_an_epoch_depends_only_on_seed_and_epoch():
    images, labels = _toy_ordered()
    fresh = ImageBatches(images, labels, 16, shuffle=True, seed=5)
    fresh.set_epoch(3)
    expected = _order(fresh)
    used = ImageBatches(images, labels, 16, shuffle=True, seed=5)
    for _ in range(6):  # full passes
        _order(used)
    for _ in range(3):  # and peeks, which do not end an epoch
        next(iter(used))
    used.set_epoch(3)
    assert torch.equal(_order(used), expected)
    used.set_epoch(np.int64(3))  # back to an earlier epoch: the same order again
    assert torch.equal(_order(used), expected)


def test_epochs_advance_after_each_full_pass_only():
    batches = ImageBatches(*_toy_ordered(), 16, shuffle=True)
    assert batches.epoch == 0
    next(iter(batches))
    assert batches.epoch == 0, "a partial pass does not end the epoch"
    first = _order(batches)
    assert batches.epoch == 1
    batches.set_epoch(0)
    assert torch.equal(_order(batches), first) and batches.epoch == 1


def test_epoch_orders_are_the_stream_of_one_seeded_generator():
    """Epoch after epoch, the orders are what one generator seeded with `seed` draws (published results)."""
    images, labels = _toy_ordered()
    generator = torch.Generator().manual_seed(7)
    batches = ImageBatches(images, labels, 50, shuffle=True, seed=7)
    for _ in range(3):
        assert torch.equal(_order(batches), torch.randperm(50, generator=generator))


def test_unshuffled_batches_keep_the_order():
    batches = ImageBatches(*_toy_ordered(), 16)
    assert torch.equal(_order(batches), torch.arange(50)) and torch.equal(_order(batches), torch.arange(50))


def test_resize_and_channels():
    images = torch.randint(0, 256, (6, 3, 8, 8), dtype=torch.uint8)
    X, _ = next(iter(ImageBatches(images, torch.zeros(6, dtype=torch.long), 6, resize=16)))
    assert X.shape == (6, 3, 16, 16)
    X, _ = next(iter(ImageBatches(images, torch.zeros(6, dtype=torch.long), 6, resize=4)))
    assert X.shape == (6, 3, 4, 4)


def test_float_images_pass_through():
    images = torch.rand(3, 5, 5)
    X, _ = next(iter(ImageBatches(images, torch.zeros(3, dtype=torch.long), 3)))
    assert torch.equal(X[:, 0], images)


def test_numpy_images_and_labels_are_converted():
    images, labels = _toy()
    from_numpy = ImageBatches(images.numpy(), labels.numpy(), np.int64(4))
    for (X, y), (X_t, y_t) in zip(from_numpy, ImageBatches(images, labels, 4)):
        assert torch.equal(X, X_t) and torch.equal(y, y_t)
    assert from_numpy.batch_size == 4 and type(from_numpy.batch_size) is int


def test_device_placement():
    images, labels = _toy()
    X, y = next(iter(ImageBatches(images, labels, 4, device="cpu")))
    assert X.device.type == "cpu" and y.device.type == "cpu"


_LABELS = torch.zeros(4, dtype=torch.long)


@pytest.mark.parametrize("kwargs, match", [
    (dict(images=torch.zeros(4, 4)), r"`images` must be a 3-d or 4-d tensor.*got a tensor of shape \(4, 4\)"),
    (dict(labels=torch.zeros(3, dtype=torch.long)), r"`labels` must be of shape \(4,\), one label per image"),
    (dict(labels=torch.zeros(4)), "`labels` must be a 1-d integer tensor.*labels.long"),
    (dict(labels=torch.zeros(4, 1, dtype=torch.long)), "`labels` must be a 1-d integer tensor"),
    (dict(batch_size=0), "`batch_size` must be an integer >= 1, got 0. Pass the number of examples per batch."),
    (dict(batch_size=2.5), "`batch_size` must be an integer >= 1, got 2.5"),
    (dict(batch_size=True), "`batch_size` must be an integer >= 1, got True"),
    (dict(resize=-3), "`resize` must be an integer >= 1 or None, got -3"),
    (dict(resize=28.0), "`resize` must be an integer >= 1 or None"),
    (dict(shuffle="yes"), "`shuffle` must be a bool"),
    (dict(seed=-1), "`seed` must be an integer in 0..18446744073709551615, got -1"),
    (dict(images=torch.zeros(4, 2, 2, dtype=torch.int64)), r"`images` must be uint8.*int64.*\.to\(torch\.uint8\)"),
    (dict(images=torch.zeros(4, 2, 2, dtype=torch.bool)), "`images` must be uint8"),
    (dict(images=torch.full((4, 2, 2), 255.0)), r"`images` must be floating point in \[0, 1\].*got float values in \[255, 255\]. Divide them by 255"),
    (dict(images=torch.full((4, 2, 2), -0.5)), r"`images` .*\[-0.5, -0.5\]. Rescale them to \[0, 1\]"),
    (dict(images=torch.full((4, 2, 2), float("nan"))), "`images` must be a 3-d or 4-d tensor of finite values"),
    (dict(images=torch.zeros(4, 8, 8, 3, dtype=torch.uint8)), r"`images` must be \(N, C, H, W\) images.*looks like \(N, H, W, C\).*permute\(0, 3, 1, 2\)"),
    (dict(images=torch.zeros(4, 28, 28, 1)), r"`images`.*permute\(0, 3, 1, 2\)"),
    (dict(images=torch.zeros(0, 2, 2), labels=torch.zeros(0, dtype=torch.long)), "`images` must be at least one image"),
    (dict(images="images"), "`images` must be a 3-d or 4-d tensor"),
])
def test_batches_reject_bad_inputs(kwargs, match):
    kwargs = {"images": torch.zeros(4, 2, 2), "labels": _LABELS, "batch_size": 2, **kwargs}
    with pytest.raises(ParameterError, match=match):
        ImageBatches(**kwargs)


def test_channels_first_images_with_few_pixels_are_not_mistaken_for_channels_last():
    for shape in [(4, 3, 8, 8), (4, 1, 8, 8), (4, 3, 3, 3), (4, 2, 5, 3)]:
        assert next(iter(ImageBatches(torch.rand(shape), _LABELS, 4)))[0].shape == shape


@pytest.mark.parametrize("epoch", [-1, 1.5, "1"])
def test_set_epoch_rejects_bad_epochs(epoch):
    with pytest.raises(ParameterError, match="`epoch` must be an integer >= 0.*count from 0"):
        ImageBatches(*_toy(), 2).set_epoch(epoch)


def test_random_subset():
    images, labels = _toy(n=20)
    sub_images, sub_labels = random_subset(images, labels, 5, seed=1)
    again, _ = random_subset(images, labels, 5, seed=1)
    assert sub_images.shape == (5, 4, 4) and torch.equal(sub_images, again)
    assert random_subset(images, labels, None)[0] is images
    assert random_subset(images, labels, np.int64(5), seed=np.int64(1))[0].shape == (5, 4, 4)


@pytest.mark.parametrize("size, seed, n_labels, match", [
    (21, 0, 20, "`size` must be an integer in 1..20 or None, got 21"),
    (0, 0, 20, "`size` must be an integer in 1..20 or None, got 0"),
    (2.5, 0, 20, "`size` must be an integer in 1..20 or None, got 2.5"),
    (5, -1, 20, "`seed` must be an integer in 0.."),
    (2, 0, 3, r"`labels` must be one label per image \(20\), got a tensor of shape \(3,\)"),
])
def test_random_subset_bad_inputs(size, seed, n_labels, match):
    images, labels = _toy(n=20)
    with pytest.raises(ParameterError, match=match):
        random_subset(images, labels[:n_labels], size, seed)


@pytest.mark.parametrize("kwargs, match", [
    (dict(batch_size=0), "`batch_size` must be an integer >= 1"),
    (dict(batch_size=256, train_subset=70_000), "`train_subset` must be an integer in 1..60000 or None, got 70000"),
    (dict(batch_size=256, test_subset=0), "`test_subset` must be an integer in 1..10000 or None, got 0"),
    (dict(batch_size=256, resize=0), "`resize` must be an integer >= 1 or None"),
    (dict(batch_size=256, seed=-2), "`seed` must be an integer in 0.."),
])
def test_fashion_mnist_batches_checks_arguments_before_reading(kwargs, match, tmp_path):
    with pytest.raises(ParameterError, match=match):  # tmp_path has no data: the check comes first
        fashion_mnist_batches(root=tmp_path, **kwargs)


# ---------------------------------------------------------------- synthetic regression data


def test_synthetic_regression_data_follows_the_model():
    w, b = torch.tensor([2.0, -3.4]), 4.2
    X, y = synthetic_regression_data(w, b, 1_000, noise=0.01, generator=torch.Generator().manual_seed(0))
    assert X.shape == (1_000, 2) and y.shape == (1_000, 1)
    residual = y[:, 0] - (X @ w + b)
    assert residual.std().item() == pytest.approx(0.01, rel=0.15)
    X0, y0 = synthetic_regression_data(w, b, 10, noise=0.0)
    assert torch.allclose(y0[:, 0], X0 @ w + b)


def test_synthetic_regression_data_draws_what_it_always_drew():
    """Published chapter results depend on these exact draws: X first, then the noise."""
    w, g = torch.tensor([2.0, -3.4]), torch.Generator().manual_seed(0)
    X, y = synthetic_regression_data(w, 4.2, np.int64(5), noise=0.01, generator=torch.Generator().manual_seed(0))
    expected_X = torch.normal(0.0, 1.0, (5, 2), generator=g)
    expected_y = expected_X @ w + 4.2 + torch.normal(0.0, 0.01, (5,), generator=g)
    assert torch.equal(X, expected_X) and torch.equal(y, expected_y.reshape(-1, 1))


@pytest.mark.parametrize("args, match", [
    ((torch.ones(2, 2), 0.0, 10), "`w` must be a 1-d tensor"),
    ((torch.ones(2), 0.0, 0), "`num_examples` must be an integer >= 1, got 0"),
    ((torch.ones(2), 0.0, 2.5), "`num_examples` must be an integer >= 1, got 2.5"),
    ((torch.ones(2), 0.0, 10, -1.0), "`noise` must be a finite real number >= 0, got -1.0"),
    ((torch.ones(2), 0.0, 10, float("nan")), "`noise` must be a finite real number >= 0, got nan, which is not finite"),
    ((torch.ones(2), 0.0, 10, float("inf")), "`noise` .*not finite"),
    ((torch.ones(2), float("nan"), 10), "`b` must be a finite real number, got nan"),
    ((torch.ones(2), "4.2", 10), "`b` must be a finite real number, got '4.2'"),
    ((torch.tensor([1.0, float("nan")]), 0.0, 10), "`w` must be a 1-d tensor of finite values"),
    ((torch.ones(2), 0.0, 10, 0.01, 0), "`generator` must be a torch.Generator or None, got 0"),
])
def test_synthetic_regression_data_bad_inputs(args, match):
    with pytest.raises(ParameterError, match=match):
        synthetic_regression_data(*args)


# ---------------------------------------------------------------- polynomial features


def test_polynomial_features_are_scaled_powers():
    x = torch.tensor([2.0, -1.0])
    features = polynomial_features(x, 4)
    assert features.shape == (2, 4)
    assert torch.allclose(features[0], torch.tensor([1.0, 2.0, 4.0 / 2, 8.0 / 6]))
    assert torch.allclose(features[1], torch.tensor([1.0, -1.0, 0.5, -1.0 / 6]))
    assert torch.equal(polynomial_features(x.reshape(2, 1), 4), features)


def test_polynomial_features_are_exact_to_float32_rounding():
    x = torch.randn(1_000, generator=torch.Generator().manual_seed(0))
    exact = torch.stack([x.double() ** i / math.factorial(i) for i in range(20)], dim=1)
    features = polynomial_features(x, np.int64(20))
    assert features.dtype == torch.float32
    assert torch.allclose(features.double(), exact, rtol=1.2e-7, atol=1e-44)  # within float32 rounding


def test_polynomial_features_of_high_powers_stay_finite():
    """x^i and i! overflowed float32 apart (inf / inf = NaN) for large x or many features."""
    features = polynomial_features(torch.tensor([100.0, -3.0, 0.5]), 40)
    assert torch.isfinite(features).all()
    assert features[0, 39].item() == pytest.approx(100.0 ** 39 / math.factorial(39), rel=1e-6)


@pytest.mark.parametrize("x, degree, match", [
    (torch.ones(2, 2), 3, r"`x` must be a vector of shape \(n,\) or \(n, 1\)"),
    (torch.ones(3), 0, "`num_features` must be an integer >= 1, got 0. Count the constant column"),
    (torch.ones(3), 2.0, "`num_features` must be an integer >= 1, got 2.0"),
    (torch.tensor([1.0, float("nan")]), 3, "`x` must be a 1-d or 2-d tensor of finite values"),
    (torch.tensor([float("inf")]), 3, "`x` .*finite values"),
    (torch.tensor([1e30]), 20, r"`x` must be values whose 20 features x\^i / i! fit in float32, got values up to \|x\| = 1e\+30"),
    ("1, 2", 3, "`x` must be a 1-d or 2-d tensor"),
])
def test_polynomial_features_bad_inputs(x, degree, match):
    with pytest.raises(ParameterError, match=match):
        polynomial_features(x, degree)


# ---------------------------------------------------------------- d2l's loader, for comparisons


def test_d2l_loader_matches_the_in_memory_batches(fashion_root):
    loader = d2l_fashion_mnist_loader(False, 256, num_workers=0, root=fashion_root)
    X, y = next(iter(loader))
    images, labels = load_fashion_mnist(False, fashion_root)
    assert X.shape == (256, 1, 28, 28)
    assert torch.allclose(X[:, 0], images[:256].float() / 255)
    assert torch.equal(y, labels[:256])
    resized = d2l_fashion_mnist_loader(False, 8, num_workers=0, resize=64, root=fashion_root)
    assert next(iter(resized))[0].shape == (8, 1, 64, 64)


def test_d2l_loader_missing_data_names_the_fix(tmp_path, monkeypatch):
    monkeypatch.setattr(FashionMNIST, "mirrors", ["http://127.0.0.1:9/"])
    with pytest.raises(DatasetNotFoundError, match="D2L_DATA_DIR"):
        d2l_fashion_mnist_loader(True, 256, root=tmp_path, num_workers=0)

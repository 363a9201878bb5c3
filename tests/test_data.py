import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from torchvision.datasets import FashionMNIST

from d2lhelpers.datasets import FASHION_MNIST_FILES
from d2lhelpers import (
    DatasetCorruptError, DatasetNotFoundError, ImageBatches, d2l_fashion_mnist_loader, data_dir,
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


@pytest.mark.parametrize("bad", [[10], [-1], [1.5]])
def test_text_labels_reject_bad_indices(bad):
    with pytest.raises(ValueError, match="0..9"):
        fashion_mnist_labels(bad)


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


def test_shuffle_is_seeded_and_new_each_epoch():
    images, labels = _toy(n=50)
    def epoch_orders(seed):
        batches = ImageBatches(images, labels, 50, shuffle=True, seed=seed)
        return [next(iter(batches))[0][:, 0, 0, 0] for _ in range(2)]
    a, b = epoch_orders(0), epoch_orders(0)
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    assert not torch.equal(a[0], a[1]), "each epoch draws a new order"
    assert sorted(a[0].tolist()) == sorted((images[:, 0, 0].float() / 255).tolist())


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


def test_device_placement():
    images, labels = _toy()
    X, y = next(iter(ImageBatches(images, labels, 4, device="cpu")))
    assert X.device.type == "cpu" and y.device.type == "cpu"


@pytest.mark.parametrize("kwargs, match", [
    (dict(images=torch.zeros(4, 4), labels=torch.zeros(4)), "shape"),
    (dict(images=torch.zeros(4, 2, 2), labels=torch.zeros(3)), r"labels must have shape \(4,\)"),
    (dict(images=torch.zeros(4, 2, 2), labels=torch.zeros(4), batch_size=0), "batch_size"),
    (dict(images=torch.zeros(4, 2, 2), labels=torch.zeros(4), resize=-3), "resize"),
])
def test_batches_reject_bad_inputs(kwargs, match):
    kwargs.setdefault("batch_size", 2)
    with pytest.raises(ValueError, match=match):
        ImageBatches(**kwargs)


def test_random_subset():
    images, labels = _toy(n=20)
    sub_images, sub_labels = random_subset(images, labels, 5, seed=1)
    again, _ = random_subset(images, labels, 5, seed=1)
    assert sub_images.shape == (5, 4, 4) and torch.equal(sub_images, again)
    assert random_subset(images, labels, None)[0] is images
    with pytest.raises(ValueError, match="1..20"):
        random_subset(images, labels, 21)
    with pytest.raises(ValueError, match="differ in length"):
        random_subset(images, labels[:3], 2)


# ---------------------------------------------------------------- synthetic regression data


def test_synthetic_regression_data_follows_the_model():
    w, b = torch.tensor([2.0, -3.4]), 4.2
    X, y = synthetic_regression_data(w, b, 1_000, noise=0.01, generator=torch.Generator().manual_seed(0))
    assert X.shape == (1_000, 2) and y.shape == (1_000, 1)
    residual = y[:, 0] - (X @ w + b)
    assert residual.std().item() == pytest.approx(0.01, rel=0.15)
    X0, y0 = synthetic_regression_data(w, b, 10, noise=0.0)
    assert torch.allclose(y0[:, 0], X0 @ w + b)


@pytest.mark.parametrize("args, match", [
    ((torch.ones(2, 2), 0.0, 10), "1-d"),
    ((torch.ones(2), 0.0, 0), "positive int"),
    ((torch.ones(2), 0.0, 10, -1.0), ">= 0"),
])
def test_synthetic_regression_data_bad_inputs(args, match):
    with pytest.raises(ValueError, match=match):
        synthetic_regression_data(*args)


# ---------------------------------------------------------------- polynomial features


def test_polynomial_features_are_scaled_powers():
    x = torch.tensor([2.0, -1.0])
    features = polynomial_features(x, 4)
    assert features.shape == (2, 4)
    assert torch.allclose(features[0], torch.tensor([1.0, 2.0, 4.0 / 2, 8.0 / 6]))
    assert torch.allclose(features[1], torch.tensor([1.0, -1.0, 0.5, -1.0 / 6]))
    assert torch.equal(polynomial_features(x.reshape(2, 1), 4), features)


@pytest.mark.parametrize("x, degree, match", [
    (torch.ones(2, 2), 3, "vector"), (torch.ones(3), 0, "num_features"), (torch.ones(3), 2.0, "num_features"),
])
def test_polynomial_features_bad_inputs(x, degree, match):
    with pytest.raises(ValueError, match=match):
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

"""Shared fixtures for the unit tests."""

from __future__ import annotations

import functools
import gzip
import hashlib
import os
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
import torch

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def fashion_root() -> Path:
    """The real Fashion-MNIST data root (``$D2L_DATA_DIR``); skips when absent."""
    configured = os.environ.get("D2L_DATA_DIR")
    root = Path(configured) if configured else REPO_ROOT.parent / "shared" / "data"
    if not (root / "FashionMNIST" / "raw" / "t10k-images-idx3-ubyte").is_file():
        pytest.skip("Fashion-MNIST not on disk: set D2L_DATA_DIR to a data root that has it")
    return root


def blob_batches(seed: int = 0, n: int = 200, batch_size: int = 50) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Two well separated Gaussian blobs in 2-d (labels 0 and 1), as a list of batches."""
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % 2
    X = torch.randn(n, 2, generator=g) * 0.5 + (y.float() * 4 - 2).unsqueeze(1)
    return [(X[i:i + batch_size], y[i:i + batch_size]) for i in range(0, n, batch_size)]


def idx_bytes(array: np.ndarray) -> bytes:
    """An array in the IDX format of the MNIST files (uint8 only)."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(n).to_bytes(4, "big") for n in array.shape)
    return header + array.astype(np.uint8).tobytes()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # keep test output clean
        pass


@pytest.fixture
def fake_fashion_mirror(tmp_path: Path):
    """A download mirror on loopback HTTP serving gzipped full-size fake IDX files.

    Returns the mirror URL, torchvision-style resources (file name, md5) and the arrays.
    """
    rng = np.random.default_rng(0)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (60_000, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte": rng.integers(0, 10, (60_000,), dtype=np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (10_000, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, (10_000,), dtype=np.uint8),
    }
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    resources = []
    for name, array in arrays.items():
        data = gzip.compress(idx_bytes(array), compresslevel=1)
        (mirror / f"{name}.gz").write_bytes(data)
        resources.append((f"{name}.gz", hashlib.md5(data).hexdigest()))
    handler = functools.partial(_QuietHandler, directory=str(mirror))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", resources, arrays
    finally:
        server.shutdown()
        server.server_close()

"""The shipped pretrained checkpoints: verified loading, errors, and a reproducible pretraining script."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from torch import nn

import d2lhelpers as d2l
from d2lhelpers.checkpoints import CHECKPOINT_DIR

REPO_ROOT = Path(__file__).resolve().parents[1]
SCRIPT = REPO_ROOT / "scripts" / "pretrain_source.py"


def test_every_shipped_checkpoint_matches_its_recorded_sha256_and_loads_into_its_network():
    assert set(d2l.checkpoint_names()) >= {"fashion_lenet", "fashion_lenet_weak"}
    reference = d2l.lenet(nn.ReLU, nn.MaxPool2d).state_dict()
    for name in d2l.checkpoint_names():
        info = d2l.checkpoint_info(name)
        data = (CHECKPOINT_DIR / info["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == info["sha256"]
        assert 50_000 < len(data) < 1_000_000, "float16 LeNet weights are about 0.13 MB"
        state = d2l.load_checkpoint(name)
        assert set(state) == set(reference)
        assert all(state[key].shape == reference[key].shape and state[key].dtype == torch.float32 for key in state)
        assert 0.1 < info["fashion_mnist_test_acc"] < 1


def test_pretrained_lenet_has_the_checkpoint_weights_and_classifies():
    net = d2l.pretrained_lenet("fashion_lenet")
    state = d2l.load_checkpoint("fashion_lenet")
    assert torch.equal(net[0].weight.detach(), state["0.weight"])
    assert net(torch.rand(3, 1, 28, 28)).shape == (3, 10)


def test_the_good_checkpoint_is_better_than_the_weak_one():
    good, weak = d2l.checkpoint_info("fashion_lenet"), d2l.checkpoint_info("fashion_lenet_weak")
    assert good["fashion_mnist_test_acc"] > weak["fashion_mnist_test_acc"] + 0.05


@pytest.mark.parametrize("name", ["imagenet_resnet18", "", "FASHION_LENET"])
def test_an_unknown_name_names_the_shipped_ones(name):
    with pytest.raises(d2l.ParameterError, match="fashion_lenet"):
        d2l.load_checkpoint(name)
    with pytest.raises(d2l.ParameterError, match="fashion_lenet"):
        d2l.checkpoint_info(name)


def test_a_name_that_is_not_a_string_is_refused():
    with pytest.raises(d2l.ParameterError):
        d2l.load_checkpoint(0)


def test_a_directory_that_is_not_a_path_is_refused():
    with pytest.raises(d2l.ParameterError, match="directory"):
        d2l.load_checkpoint("fashion_lenet", directory=3)


def test_a_missing_file_names_it_and_the_fix(tmp_path):
    with pytest.raises(d2l.CheckpointError, match=r"does not exist.*pretrain_source\.py"):
        d2l.load_checkpoint("fashion_lenet", directory=tmp_path)


@pytest.mark.parametrize("damage", ["flip", "truncate"])
def test_a_corrupted_file_is_refused_before_it_is_deserialized(tmp_path, damage):
    file = d2l.checkpoint_info("fashion_lenet")["file"]
    copy = tmp_path / file
    shutil.copy(CHECKPOINT_DIR / file, copy)
    data = bytearray(copy.read_bytes())
    if damage == "flip":
        data[len(data) // 2] ^= 0xFF
    else:
        del data[len(data) // 2:]
    copy.write_bytes(bytes(data))
    with pytest.raises(d2l.CheckpointError, match=rf"SHA-256 of .*{file}.*corrupted.*Reinstall"):
        d2l.load_checkpoint("fashion_lenet", directory=tmp_path)
    shutil.copy(CHECKPOINT_DIR / file, copy)  # the intact file in the same folder loads
    assert "0.weight" in d2l.load_checkpoint("fashion_lenet", directory=tmp_path)


def test_the_index_records_how_each_checkpoint_was_made():
    for name in d2l.checkpoint_names():
        info = d2l.checkpoint_info(name)
        assert info["command"].startswith("python scripts/pretrain_source.py ")
        assert info["command"].endswith(f"--out d2lhelpers/pretrained/{info['file']}")
        assert info["architecture"] == "lenet(nn.ReLU, nn.MaxPool2d)"


def _pretrain(out: Path, root: Path) -> str:
    command = [sys.executable, str(SCRIPT), "--epochs", "1", "--train-subset", "256", "--test-subset", "256",
               "--seed", "3", "--out", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=REPO_ROOT,
                          env={**os.environ, "D2L_DATA_DIR": str(root)})
    return done.stdout


def test_the_pretraining_script_gives_the_same_bytes_twice(tmp_path, fashion_root):
    first = _pretrain(tmp_path / "first.pt", fashion_root)
    second = _pretrain(tmp_path / "other_name.pt", fashion_root)
    data = (tmp_path / "first.pt").read_bytes()
    assert data == (tmp_path / "other_name.pt").read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    assert f"sha256 {digest}" in first and f"sha256 {digest}" in second
    state = torch.load(tmp_path / "first.pt", weights_only=True)
    assert all(tensor.dtype == torch.float16 for tensor in state.values())

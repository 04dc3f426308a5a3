"""Shared fixtures: real FER2013 images from ../shared/data/fer2013 (relative to the repository root).

Tests that need them skip with a message when the folder is absent. Everything runs on CPU with 2 threads.
"""
import os
import shutil

import pytest

torch = pytest.importorskip("torch", reason="PyTorch is not installed: use /usr/bin/python3 -m pytest training/tests")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.environ.get("FER2013_DIR", os.path.join(ROOT, "..", "shared", "data", "fer2013"))

torch.set_num_threads(2)


def _require_data():
    if not os.path.isdir(os.path.join(DATA, "train")):
        pytest.skip(f"FER2013 not found at {os.path.abspath(DATA)} (set FER2013_DIR or provide ../shared/data/fer2013)")


@pytest.fixture(scope="session")
def data_dir():
    _require_data()
    return DATA


@pytest.fixture(scope="session")
def val_sample(data_dir):
    """12 real val images per class: (uint8 [84,1,48,48], labels, paths)."""
    from training.data import load_folder

    return load_folder(os.path.join(data_dir, "val"), limit_per_class=12)


@pytest.fixture(scope="session")
def tiny_dataset(data_dir, tmp_path_factory):
    """A Kaggle-layout copy of 30 train and 8 val images per class (210 + 56 real faces)."""
    root = tmp_path_factory.mktemp("fer2013-tiny")
    for split, per_class in (("train", 30), ("val", 8)):
        for name in sorted(os.listdir(os.path.join(data_dir, split))):
            src = os.path.join(data_dir, split, name)
            os.makedirs(root / split / name)
            for file in sorted(os.listdir(src))[:per_class]:
                shutil.copy(os.path.join(src, file), root / split / name / file)
    return str(root)

import csv
import os

import numpy as np
import torch

from training import data


def test_folder_and_csv_loaders_agree(val_sample, tmp_path):
    images, labels, _ = val_sample
    path = tmp_path / "fer2013.csv"
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["emotion", "pixels", "Usage"])
        for img, label in zip(images, labels):
            w.writerow([int(label), " ".join(str(v) for v in img.flatten().tolist()), "PublicTest"])
        w.writerow([0, " ".join(["0"] * 48 * 48), "Training"])  # another split: must be ignored
    csv_images, csv_labels = data.load_csv(str(path), "val")
    assert torch.equal(csv_images, images)
    assert torch.equal(csv_labels, labels)
    assert data.load_split(str(path), "train")[0].shape == (1, 1, 48, 48)


def test_folder_labels_follow_fer2013_order(val_sample):
    images, labels, paths = val_sample
    assert images.dtype == torch.uint8 and images.shape == (84, 1, 48, 48)
    for label, path in zip(labels.tolist(), paths):
        assert data.LABELS[label] == os.path.basename(os.path.dirname(path))
    assert data.class_counts(labels).tolist() == [12] * 7


def test_load_split_cache_round_trip(tiny_dataset, tmp_path):
    a = data.load_split(tiny_dataset, "val", str(tmp_path))
    assert len(os.listdir(tmp_path)) == 1
    b = data.load_split(tiny_dataset, "val", str(tmp_path))
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    assert "total 56" in data.format_counts(a[1])


def test_to_float_range(val_sample):
    x = data.to_float(val_sample[0])
    assert x.min() >= -1 and x.max() <= 1
    assert np.isclose(float(data.to_float(torch.tensor([255], dtype=torch.uint8))), 1.0)


def test_pack_round_trip(tiny_dataset, tmp_path):
    from training import data

    pack = tmp_path / "fer2013.npz"
    data.pack_folder(tiny_dataset, ["train", "val"], str(pack))
    for split in ("train", "val"):
        images, labels, _ = data.load_folder(f"{tiny_dataset}/{split}")
        packed_images, packed_labels = data.load_split(str(pack), split)
        assert torch.equal(packed_images, images) and torch.equal(packed_labels, labels)

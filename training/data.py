"""FER2013 loading: the Kaggle folder layout and the original ``fer2013.csv``.

Both loaders return the same thing: a ``uint8`` tensor ``[N, 1, 48, 48]`` of grey faces and an ``int64`` tensor of
labels in FER2013 index order (0 angry, 1 disgust, 2 fear, 3 happy, 4 sad, 5 surprise, 6 neutral). The whole split
is held in memory (28,709 x 48 x 48 bytes = 66 MB) and cached as a ``.pt`` file so that JPEGs are decoded once, not
every epoch. Augmentation happens later, batched on tensors (``presets.py``).
"""
import csv
import hashlib
import os
from collections import Counter

import numpy as np
import torch

LABELS = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]
# the Kaggle layout's folder names, mapped to FER2013 indices
FOLDER_TO_INDEX = {"angry": 0, "disgust": 1, "fear": 2, "happy": 3, "sad": 4, "surprise": 5, "neutral": 6}
# CSV "Usage" column value for each split name used on the command line
CSV_USAGE = {"train": "Training", "val": "PublicTest", "test": "PrivateTest"}
IMAGE_SIZE = 48
# The input normalization of every fer-edge model, (x/255 - MEAN) / STD: written into each manifest by export.py and
# applied by the SDK on the device. Defined here once; everything else imports it.
MEAN, STD = 0.5, 0.5


def _list_folder(root):
    """(path, label) pairs of a ``<root>/<class>/*.jpg`` tree, sorted by class index then file name."""
    items = []
    for name, index in sorted(FOLDER_TO_INDEX.items(), key=lambda kv: kv[1]):
        folder = os.path.join(root, name)
        if not os.path.isdir(folder):
            continue
        for file in sorted(os.listdir(folder)):
            if file.lower().endswith((".jpg", ".jpeg", ".png", ".bmp")):
                items.append((os.path.join(folder, file), index))
    if not items:
        raise FileNotFoundError(f"no images under {root}/<class>/ (classes: {', '.join(FOLDER_TO_INDEX)})")
    return items


def load_folder(root, limit_per_class=None):
    """Read a Kaggle-layout split folder into ``(images uint8 [N,1,48,48], labels int64 [N], paths)``."""
    from PIL import Image

    items = _list_folder(root)
    if limit_per_class is not None:
        seen = Counter()
        kept = []
        for path, label in items:
            if seen[label] < limit_per_class:
                kept.append((path, label))
                seen[label] += 1
        items = kept
    images = np.empty((len(items), 1, IMAGE_SIZE, IMAGE_SIZE), dtype=np.uint8)
    for i, (path, _) in enumerate(items):
        with Image.open(path) as im:
            im = im.convert("L")
            if im.size != (IMAGE_SIZE, IMAGE_SIZE):
                im = im.resize((IMAGE_SIZE, IMAGE_SIZE), Image.BILINEAR)
            images[i, 0] = np.asarray(im, dtype=np.uint8)
    labels = np.array([label for _, label in items], dtype=np.int64)
    return torch.from_numpy(images), torch.from_numpy(labels), [path for path, _ in items]


def load_csv(csv_path, split):
    """Read one split (``train`` / ``val`` / ``test`` or the raw Usage value) of the original ``fer2013.csv``."""
    usage = CSV_USAGE.get(split, split)
    rows = []
    with open(csv_path, newline="") as f:
        for row in csv.DictReader(f):
            if row["Usage"].strip() == usage:
                rows.append((int(row["emotion"]), row["pixels"]))
    if not rows:
        raise ValueError(f"no rows with Usage == {usage!r} in {csv_path}")
    images = np.empty((len(rows), 1, IMAGE_SIZE, IMAGE_SIZE), dtype=np.uint8)
    for i, (_, pixels) in enumerate(rows):
        images[i, 0] = np.array(pixels.split(), dtype=np.uint8).reshape(IMAGE_SIZE, IMAGE_SIZE)
    labels = np.array([label for label, _ in rows], dtype=np.int64)
    return torch.from_numpy(images), torch.from_numpy(labels)


def pack_folder(root, splits, output):
    """Write the JPEG bytes of ``root/<split>/<class>/*.jpg`` for each split into one ``.npz`` (no re-encoding), for
    moving the data set to a training machine as a single file: ``{split}_jpeg`` (all bytes), ``{split}_offsets``,
    ``{split}_labels``."""
    arrays = {}
    for split in splits:
        items = _list_folder(os.path.join(root, split))
        blobs = [open(path, "rb").read() for path, _ in items]
        arrays[f"{split}_jpeg"] = np.frombuffer(b"".join(blobs), dtype=np.uint8)
        arrays[f"{split}_offsets"] = np.cumsum([0] + [len(b) for b in blobs]).astype(np.int64)
        arrays[f"{split}_labels"] = np.array([label for _, label in items], dtype=np.int64)
    np.savez(output, **arrays)


def load_pack(path, split):
    """Decode one split of a ``pack_folder`` file into ``(images uint8 [N,1,48,48], labels int64 [N])``."""
    import io

    from PIL import Image

    blob = np.load(path)
    if f"{split}_jpeg" not in blob:
        raise ValueError(f"{path} holds no split {split!r}")
    jpeg, offsets, labels = blob[f"{split}_jpeg"], blob[f"{split}_offsets"], blob[f"{split}_labels"]
    images = np.empty((len(labels), 1, IMAGE_SIZE, IMAGE_SIZE), dtype=np.uint8)
    for i in range(len(labels)):
        with Image.open(io.BytesIO(jpeg[offsets[i]:offsets[i + 1]].tobytes())) as im:
            im = im.convert("L")
            if im.size != (IMAGE_SIZE, IMAGE_SIZE):
                im = im.resize((IMAGE_SIZE, IMAGE_SIZE), Image.BILINEAR)
            images[i, 0] = np.asarray(im, dtype=np.uint8)
    return torch.from_numpy(images), torch.from_numpy(labels)


def _cache_file(cache_dir, source, split):
    key = hashlib.sha1(f"{os.path.abspath(source)}|{split}".encode()).hexdigest()[:12]
    return os.path.join(cache_dir, f"fer2013-{split}-{key}.pt")


def load_split(data, split, cache_dir=None):
    """Load ``split`` from ``data``: a folder holding ``<split>/<class>/*.jpg``, a ``fer2013.csv`` file or a ``.npz``
    pack (``pack_folder``).

    With ``cache_dir``, the decoded tensors are stored there on first use and read back afterwards.
    """
    cache = _cache_file(cache_dir, data, split) if cache_dir else None
    if cache and os.path.exists(cache):
        blob = torch.load(cache)
        return blob["images"], blob["labels"]
    if os.path.isfile(data) and data.lower().endswith(".csv"):
        images, labels = load_csv(data, split)
    elif os.path.isfile(data) and data.lower().endswith(".npz"):
        images, labels = load_pack(data, split)
    else:
        images, labels, _ = load_folder(os.path.join(data, split))
    if cache:
        os.makedirs(cache_dir, exist_ok=True)
        torch.save({"images": images, "labels": labels}, cache + ".tmp")
        os.replace(cache + ".tmp", cache)
    return images, labels


def class_counts(labels, num_classes=len(LABELS)):
    return torch.bincount(labels, minlength=num_classes)


def format_counts(labels):
    counts = class_counts(labels).tolist()
    return ", ".join(f"{name} {n}" for name, n in zip(LABELS, counts)) + f" (total {sum(counts)})"


def to_float(images, mean=MEAN, std=STD):
    """uint8 [N,1,H,W] -> float (x/255 - mean)/std, the normalization written to the manifest."""
    return (images.float() / 255.0 - mean) / std

"""Cache an ensemble of exported models' predictions as teacher logits for distillation.

The shipped students alone were the stand-in teacher while the ResNet50 hybrid could not be trained; the hybrid joins
them as an exported ONNX file. Each member's probabilities come from the device path, which is fast (ONNX Runtime)
and is what ships:

    node dist/src/cli/main.js eval --model models/fer-mnv3s.onnx --data ../shared/data/fer2013/train --flip \
        --predictions /tmp/ens/fer-mnv3s-train.jsonl        # and the same for val, and for each member
    /usr/bin/python3 -m training.ensemble_logits --output /root/fer-edge-runs/ensemble/train-logits.pt \
        --train /tmp/ens/fer-mnv3s-train.jsonl --train /tmp/ens/fer-cnn4-train.jsonl \
        --val /tmp/ens/fer-mnv3s-val.jsonl --val /tmp/ens/fer-cnn4-val.jsonl

`fer-edge eval --flip` averages each face's probabilities with its mirror's, after the member's own temperature
scaling (its manifest). Here the members' log-probabilities are averaged (a geometric mean of calibrated
probabilities): log-probabilities are logits up to a constant, so the result has the format of
``training.cache_logits`` and goes to ``training.train --teacher-logits``. The ensemble's accuracy on val is printed
and stored: that is the teacher's figure to report.
"""
import argparse
import json
import os

from training._require import require_torch

require_torch()

import torch  # noqa: E402

from training import data  # noqa: E402


def split_ids(root):
    """The ``<class>/<file>`` ids of a folder split in ``data.load_split``'s order (the ids `fer-edge eval` writes)."""
    return [os.path.relpath(path, root).replace(os.sep, "/") for path, _ in data._list_folder(root)]


def read_predictions(path, ids, labels):
    """A ``fer-edge eval --predictions`` file as a [N, 7] probability tensor in ``ids`` order, labels checked."""
    rows = {}
    with open(path) as f:
        for line in f:
            if line.strip():
                row = json.loads(line)
                rows[row["id"]] = row
    missing = [i for i in ids if i not in rows]
    if missing:
        raise ValueError(f"{path}: {len(missing)} faces of the split have no prediction (first: {missing[0]})")
    probs = torch.tensor([rows[i]["probabilities"] for i in ids], dtype=torch.float64)
    if not torch.equal(torch.tensor([rows[i]["label"] for i in ids]), labels):
        raise ValueError(f"{path}: labels differ from the split's (made on other data?)")
    return probs


def ensemble_log_probs(paths, ids, labels):
    members = [read_predictions(p, ids, labels).clamp_min(1e-8).log() for p in paths]
    return torch.stack(members).mean(0).float()


def main(argv=None):
    p = argparse.ArgumentParser(description="fer-edge: an ensemble's predictions as cached teacher logits")
    p.add_argument("--train", action="append", required=True, help="a member's predictions on the train split (repeat)")
    p.add_argument("--val", action="append", default=[], help="the same member's predictions on val (repeat, same order)")
    p.add_argument("--output", required=True)
    p.add_argument("--data", default="../shared/data/fer2013", help="the Kaggle folder layout the predictions were made on")
    p.add_argument("--split", default="train")
    p.add_argument("--val-split", default="val")
    p.add_argument("--cache-dir", default=os.path.expanduser("~/fer-edge-runs/cache"))
    a = p.parse_args(argv)

    val_acc = None
    if a.val:
        _, val_y = data.load_split(a.data, a.val_split, a.cache_dir or None)
        val_log_probs = ensemble_log_probs(a.val, split_ids(os.path.join(a.data, a.val_split)), val_y)
        val_acc = (val_log_probs.argmax(1) == val_y).float().mean().item()
        print(f"ensemble of {len(a.val)} members: {a.val_split} accuracy {val_acc:.4f}")

    _, labels = data.load_split(a.data, a.split, a.cache_dir or None)
    log_probs = ensemble_log_probs(a.train, split_ids(os.path.join(a.data, a.split)), labels)
    acc = (log_probs.argmax(1) == labels).float().mean().item()
    os.makedirs(os.path.dirname(os.path.abspath(a.output)), exist_ok=True)
    torch.save({"logits": log_probs.half(), "labels": labels, "split": a.split, "flip": True,
                "teacher": "ensemble:" + "+".join(os.path.basename(m) for m in a.train),
                "val_accuracy": val_acc}, a.output)
    print(f"wrote {a.output}: {tuple(log_probs.shape)} log-probabilities, ensemble accuracy on {a.split} {acc:.4f}")


if __name__ == "__main__":
    main()

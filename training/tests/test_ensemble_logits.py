import json
import os

import pytest
import torch

from training import ensemble_logits, train
from training.data import load_split


def _write_predictions(path, ids, labels, probabilities_of):
    with open(path, "w") as f:
        for face_id, label in zip(ids, labels.tolist()):
            f.write(json.dumps({"id": face_id, "label": label, "probabilities": probabilities_of(label)}) + "\n")


def _confident(label):
    return [0.94 if k == label else 0.01 for k in range(7)]


def _uniform(_label):
    return [1 / 7] * 7


def _members(tiny_dataset, tmp_path, split):
    ids = ensemble_logits.split_ids(os.path.join(tiny_dataset, split))
    _, labels = load_split(tiny_dataset, split)
    right, flat = tmp_path / f"right-{split}.jsonl", tmp_path / f"flat-{split}.jsonl"
    _write_predictions(right, ids, labels, _confident)
    _write_predictions(flat, ids, labels, _uniform)
    return ids, labels, [str(right), str(flat)]


def test_ensemble_of_predictions_becomes_teacher_logits_that_train_accepts(tiny_dataset, tmp_path):
    _, labels, train_members = _members(tiny_dataset, tmp_path, "train")
    _, _, val_members = _members(tiny_dataset, tmp_path, "val")
    out = tmp_path / "logits.pt"
    ensemble_logits.main(["--data", tiny_dataset, "--cache-dir", "", "--output", str(out),
                          "--train", train_members[0], "--train", train_members[1],
                          "--val", val_members[0], "--val", val_members[1]])
    blob = torch.load(out)
    assert blob["logits"].shape == (len(labels), 7)
    assert torch.equal(blob["labels"], labels)
    assert torch.equal(blob["logits"].float().argmax(1), labels)
    assert blob["val_accuracy"] == 1.0
    # The geometric mean of the members' probabilities: log(0.94 * 1/7) / 2 for the true class.
    expected = (torch.log(torch.tensor(0.94)) + torch.log(torch.tensor(1 / 7))) / 2
    assert abs(blob["logits"][0, labels[0]].item() - expected.item()) < 1e-2
    args = train.get_args_parser().parse_args(
        ["--data", tiny_dataset, "--cache-dir", "", "--model", "cnn4", "--output-dir", str(tmp_path / "kd"), "--epochs", "1",
         "--batch-size", "16", "--warmup-epochs", "0", "--aug", "none", "--threads", "2", "--no-progress",
         "--teacher-logits", str(out), "--limit", "32"])
    train.main(args)
    assert (tmp_path / "kd" / "log.jsonl").exists()


def test_predictions_that_miss_faces_or_disagree_on_labels_are_refused(tiny_dataset, tmp_path):
    ids, labels, _ = _members(tiny_dataset, tmp_path, "val")
    partial = tmp_path / "partial.jsonl"
    _write_predictions(partial, ids[1:], labels[1:], _uniform)
    with pytest.raises(ValueError, match="1 faces of the split have no prediction"):
        ensemble_logits.read_predictions(str(partial), ids, labels)
    shifted = tmp_path / "shifted.jsonl"
    _write_predictions(shifted, ids, (labels + 1) % 7, _uniform)
    with pytest.raises(ValueError, match="labels differ"):
        ensemble_logits.read_predictions(str(shifted), ids, labels)

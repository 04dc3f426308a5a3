import json
import os

import torch

from training import train
from training.models import get_model


def _run(tiny_dataset, out, *extra):
    argv = ["--data", tiny_dataset, "--cache-dir", "", "--model", "cnn4", "--output-dir", str(out), "--epochs", "1",
            "--batch-size", "16", "--lr", "3e-3", "--warmup-epochs", "0", "--aug", "none", "--imbalance", "none",
            "--label-smoothing", "0", "--threads", "2", "--no-progress", *extra]
    return train.main(train.get_args_parser().parse_args(argv))


def _batch_loss(model, x, y):
    model.train()  # batch statistics, as in training; dropout off
    for m in model.modules():
        if isinstance(m, torch.nn.Dropout):
            m.eval()
    with torch.no_grad():
        return torch.nn.functional.cross_entropy(model((x.float() / 255 - 0.5) / 0.5), y).item()


def test_one_epoch_on_real_images_lowers_the_loss(tiny_dataset, tmp_path):
    from training.data import load_split

    x, y = load_split(tiny_dataset, "train")
    torch.manual_seed(0)
    before = _batch_loss(get_model("cnn4"), x, y)
    _run(tiny_dataset, tmp_path)
    model = get_model("cnn4")
    model.load_state_dict(torch.load(tmp_path / "last.pt")["model"])
    after = _batch_loss(model, x, y)
    assert after < before - 0.05, (before, after)
    log = [json.loads(line) for line in open(tmp_path / "log.jsonl")]
    assert len(log) == 1 and log[0]["images"] == 208 and 0 <= log[0]["val_acc"] <= 1
    assert os.path.exists(tmp_path / "best.pt") or log[0]["val_acc"] == 0


def test_resume_continues_where_it_stopped(tiny_dataset, tmp_path):
    _run(tiny_dataset, tmp_path, "--aug", "reports", "--imbalance", "sampler", "--limit", "64")
    first = torch.load(tmp_path / "last.pt")
    assert first["epoch"] == 1 and first["step"] == 0
    _run(tiny_dataset, tmp_path, "--aug", "reports", "--imbalance", "sampler", "--limit", "64", "--epochs", "2", "--resume")
    log = [json.loads(line) for line in open(tmp_path / "log.jsonl")]
    assert [r["epoch"] for r in log] == [0, 1]


def test_distillation_online_and_cached(tiny_dataset, tmp_path):
    from training import cache_logits

    teacher_dir = tmp_path / "teacher"
    _run(tiny_dataset, teacher_dir, "--limit", "32")
    _run(tiny_dataset, tmp_path / "online", "--teacher", str(teacher_dir / "last.pt"), "--kd-alpha", "0.5",
         "--limit", "64")
    logits = tmp_path / "logits.pt"
    cache_logits.main(["--teacher", str(teacher_dir / "last.pt"), "--output", str(logits), "--data", tiny_dataset,
                       "--cache-dir", ""])
    blob = torch.load(logits)
    assert blob["logits"].shape == (210, 7)
    _run(tiny_dataset, tmp_path / "cached", "--teacher-logits", str(logits), "--kd-temperature", "2", "--limit", "64")
    for run in ("online", "cached"):
        assert (tmp_path / run / "log.jsonl").exists()

import json
import os

import torch

from training import train
from training.data import to_float
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
        return torch.nn.functional.cross_entropy(model(to_float(x)), y).item()


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


def test_teacher_ensemble_sees_the_students_view_at_its_own_size(tiny_dataset, tmp_path):
    from training import presets

    teachers = []
    for size in (48, 64):
        _run(tiny_dataset, tmp_path / f"t{size}", "--limit", "32", "--input-size", str(size))
        teachers.append(str(tmp_path / f"t{size}" / "last.pt"))
    _run(tiny_dataset, tmp_path / "student", "--teacher", *teachers, "--limit", "64", "--aug", "reports")
    assert (tmp_path / "student" / "log.jsonl").exists()
    # the same seed draws the same transform at any size: the small view is the large one resized
    x = torch.rand(4, 1, 48, 48)
    big = presets.train_preset("reports", 96)(x, generator=torch.Generator().manual_seed(7))
    small = presets.train_preset("reports", 48)(x, generator=torch.Generator().manual_seed(7))
    resized = torch.nn.functional.interpolate(big, size=(48, 48), mode="area")
    assert (resized - small).abs().mean() < 0.1 < (small - small.flip(0)).abs().mean()


def test_init_starts_from_weights_and_time_budget_sets_the_schedule(tiny_dataset, tmp_path):
    _run(tiny_dataset, tmp_path / "a", "--limit", "32")
    _run(tiny_dataset, tmp_path / "b", "--limit", "32", "--init", str(tmp_path / "a" / "last.pt"), "--epochs", "50",
         "--time-budget", "0.001")
    log = [json.loads(line) for line in open(tmp_path / "b" / "log.jsonl")]
    assert len(log) == 1  # a budget of 0.06 s: the schedule ends after the epoch that measured the pace
    args = torch.load(tmp_path / "b" / "last.pt")["args"]
    assert args["epochs"] == 1 and args["init"].endswith("last.pt")

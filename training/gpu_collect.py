"""Gather a training machine's results for the trip home: each run's best weights as fp16 (no optimizer state), its
logs, and a summary of every run's best val accuracy. Teachers get a file each; students share tar files.

    python -m training.gpu_collect --runs RUNS --out OUT --teachers NAME... --students NAME...
"""
import argparse
import io
import json
import os
import tarfile

import torch

from training.train import fp16_weights


def light_checkpoint(path):
    ckpt = torch.load(path, map_location="cpu")
    return {"model": fp16_weights(ckpt["model"]), "args": ckpt["args"], "epoch": ckpt.get("epoch"), "val_acc": ckpt.get("val_acc"),
            "train_seconds": ckpt.get("train_seconds")}


def summary_line(runs, name):
    log = os.path.join(runs, name, "log.jsonl")
    if not os.path.exists(log):
        return f"{name}: no epoch finished"
    records = [json.loads(line) for line in open(log) if line.strip()]
    last = records[-1]
    seconds = sum(r["epoch_seconds"] + r.get("eval_seconds", 0) for r in records)
    return (f"{name}: best val {last['best_val_acc']:.4f} at epoch {last['best_epoch']}, {len(records)} epochs, "
            f"{seconds / 60:.1f} min; last train acc {last['train_acc']:.4f}")


def add_bytes(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def main(argv=None):
    p = argparse.ArgumentParser(description="fer-edge: gather trained runs as fp16 weights, logs and a summary")
    p.add_argument("--runs", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--teachers", nargs="*", default=[])
    p.add_argument("--students", nargs="*", default=[])
    p.add_argument("--per-tar", type=int, default=3, help="students per tar file (files come back at most 16 MB each)")
    a = p.parse_args(argv)
    os.makedirs(a.out, exist_ok=True)
    for name in a.teachers:
        best = os.path.join(a.runs, name, "best.pt")
        if os.path.exists(best):
            torch.save(light_checkpoint(best), os.path.join(a.out, f"{name}.pt"))
    students = [n for n in a.students if os.path.exists(os.path.join(a.runs, n, "best.pt"))]
    for i in range(0, len(students), a.per_tar):
        with tarfile.open(os.path.join(a.out, f"students-{i // a.per_tar + 1}.tar"), "w") as tar:
            for name in students[i:i + a.per_tar]:
                buf = io.BytesIO()
                torch.save(light_checkpoint(os.path.join(a.runs, name, "best.pt")), buf)
                add_bytes(tar, f"{name}.pt", buf.getvalue())
    with tarfile.open(os.path.join(a.out, "logs.tar.gz"), "w:gz") as tar:
        for name in a.teachers + a.students:
            for path, arc in ((os.path.join(a.runs, f"{name}.log"), f"{name}.log"),
                              (os.path.join(a.runs, name, "log.jsonl"), f"{name}/log.jsonl")):
                if os.path.exists(path):
                    tar.add(path, arcname=arc)
    lines = [summary_line(a.runs, n) for n in a.teachers + a.students]
    with open(os.path.join(a.out, "summary.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

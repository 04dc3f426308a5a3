"""Plot training curves (loss and accuracy per epoch) from one or more runs' log.jsonl.

    /usr/bin/python3 -m training.curves /root/fer-edge-runs/mnv3s-64/log.jsonl --output models/fer-mnv3s-curves.png
"""
import argparse
import json

from training.metrics import plot_curves


def read_log(path):
    with open(path) as f:
        records = [json.loads(line) for line in f if line.strip()]
    by_epoch = {r["epoch"]: r for r in records}  # a resumed epoch keeps its last record
    return [by_epoch[e] for e in sorted(by_epoch)]


def main(argv=None):
    p = argparse.ArgumentParser(description="fer-edge: plot training curves from log.jsonl")
    p.add_argument("log")
    p.add_argument("--output", required=True)
    p.add_argument("--title", default=None)
    a = p.parse_args(argv)
    records = read_log(a.log)
    plot_curves(records, a.output, a.title or a.log)
    best = max(records, key=lambda r: r["val_acc"])
    print(f"{len(records)} epochs; best val accuracy {best['val_acc']:.4f} at epoch {best['epoch']}; wrote {a.output}")


if __name__ == "__main__":
    main()

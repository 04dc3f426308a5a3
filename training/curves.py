"""Plot training curves (loss and accuracy per epoch) from a run's log.jsonl, or compare runs' val accuracy.

    /usr/bin/python3 -m training.curves /root/fer-edge-runs/mnv3s-64/log.jsonl --output models/fer-mnv3s-curves.png
    /usr/bin/python3 -m training.curves models/report/fer-mnv3s-log.jsonl --label "no KD" \
        --compare "models/report/fer-mnv3s-kd-log.jsonl=KD" --output models/report/kd-comparison.png
"""
import argparse
import json

from training.metrics import plot_curves, plot_val_comparison


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
    p.add_argument("--label", default=None, help="the first log's name in a comparison (default: its path)")
    p.add_argument("--compare", action="append", default=[], metavar="LOG=LABEL",
                   help="plot only val accuracy, of LOG too (repeat)")
    a = p.parse_args(argv)
    records = read_log(a.log)
    if a.compare:
        runs = [(a.label or a.log, records)]
        for spec in a.compare:
            path, _, label = spec.partition("=")
            runs.append((label or path, read_log(path)))
        plot_val_comparison(runs, a.output, a.title or "val accuracy per epoch")
        for label, recs in runs:
            best = max(recs, key=lambda r: r["val_acc"])
            print(f"{label}: {len(recs)} epochs; best val accuracy {best['val_acc']:.4f} at epoch {best['epoch']}")
        print(f"wrote {a.output}")
        return
    plot_curves(records, a.output, a.title or a.log)
    best = max(records, key=lambda r: r["val_acc"])
    print(f"{len(records)} epochs; best val accuracy {best['val_acc']:.4f} at epoch {best['epoch']}; wrote {a.output}")


if __name__ == "__main__":
    main()

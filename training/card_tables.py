"""Markdown tables for models/MODEL_CARD.md from what export and quantize wrote, so the card quotes measured figures.

    /usr/bin/python3 -m training.card_tables models/fer-mnv3s.onnx [models/fer-cnn4.onnx ...]
    /usr/bin/python3 -m training.card_tables --kd models/fer-mnv3s.onnx:models/fer-mnv3s-kd.onnx
    /usr/bin/python3 -m training.card_tables --kd models/fer-mnv3s.onnx:models/fer-mnv3s-kd.onnx:models/mnv3s-64-kd.onnx
    /usr/bin/python3 -m training.card_tables --unshipped teacher-48-light

Reads, per model: the manifest (models/NAME.json), the metrics (models/report/NAME-metrics.json) and, when present, the
quantize report (models/NAME.quantize-report.json). Prints the summary, metric, per-class, confusion and quantization
tables of each model in turn. With ``--kd BASE:DISTILLED`` it prints what distillation changed between two runs of one
recipe: every val metric side by side, per-class F1, and val accuracy at the same epochs of their logs
(models/report/NAME-log.jsonl); ``--kd BASE:KD1:KD2`` sets students of one recipe distilled from different teachers
beside the base, each change measured from the base. ``--unshipped NAME`` prints the tables of a model that has no ONNX
file in models/ (the teacher), from the models/report/NAME-metrics.json that ``training.evaluate --out-dir models/report`` writes.
"""
import argparse
import json
import os

from training.curves import read_log

LABELS = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]


def pct(x):
    return f"{100 * x:.2f}%"


def summary_row(path, manifest, metrics):
    training = manifest.get("training", {})
    size_mb = os.path.getsize(path) / 1e6
    plain, tta = metrics["plain"], metrics["flip_tta"]
    return (f"| `{os.path.basename(path)}` | {training.get('model')} | {training.get('input_size')} px | "
            f"{training.get('parameters', 0):,} | {size_mb:.2f} MB | {pct(plain['accuracy'])} | {pct(tta['accuracy'])} | "
            f"{metrics['temperature']:.3f} | epoch {training.get('epoch', -1) + 1} of {training.get('recipe', {}).get('epochs')}, "
            f"{training.get('train_seconds', 0) / 60:.0f} min |")


# (row name, key in metrics["plain"] / metrics["flip_tta"]) of the metric tables
METRIC_ROWS = [("accuracy", "accuracy"), ("balanced accuracy", "balanced_accuracy"), ("macro F1", "macro_f1"),
               ("Cohen's kappa", "cohen_kappa"), ("log loss", "log_loss"), ("ECE (15 bins)", "ece"),
               ("ECE after temperature scaling", "ece_after_temperature")]


def unshipped_summary_row(name, metrics):
    model, plain, tta = metrics["model"], metrics["plain"], metrics["flip_tta"]
    return (f"| {name} (not shipped) | {model['model']} | {model['input_size']} px | {model['parameters']:,} | "
            f"{pct(plain['accuracy'])} | {pct(tta['accuracy'])} | {metrics['temperature']:.3f} | "
            f"epoch {model['epoch'] + 1} of {model['epochs']}, {model['train_seconds'] / 60:.0f} min |")


def metric_table(metrics):
    plain, tta = metrics["plain"], metrics["flip_tta"]
    out = ["| metric | plain | flip TTA |", "|---|---|---|"]
    for name, key in METRIC_ROWS:
        out.append(f"| {name} | {plain[key]:.4f} | {tta[key]:.4f} |" if key in tta else f"| {name} | {plain[key]:.4f} | |")
    out.append(f"| fitted temperature | {metrics['temperature']:.3f} | {metrics.get('temperature_tta', float('nan')):.3f} |")
    out.append(f"| log loss after temperature | {plain['log_loss_after_temperature']:.4f} | |")
    return out


def per_class_table(metrics):
    out = ["| class | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    per_class = metrics["plain"]["per_class"]
    for label in LABELS:
        c = per_class[label]
        out.append(f"| {label} | {c['precision']:.3f} | {c['recall']:.3f} | {c['f1']:.3f} | {c['support']} |")
    return out


def confusion_block(metrics):
    rows = metrics["plain"]["confusion_matrix"]
    return ["```"] + ["".join(f"{v:6d}" for v in row) for row in rows] + ["```"]


def quantize_table(report, fp32_file):
    fp32 = report["fp32"]
    out = ["| file | size | val accuracy | macro F1 | Δ accuracy | top-1 agreement with fp32 | max \\|Δp\\| | ms / image |",
           "|---|---|---|---|---|---|---|---|",
           f"| `{fp32_file}` (fp32) | {report['source']['bytes'] / 1024:.0f} KiB | {pct(fp32['accuracy'])} | "
           f"{pct(fp32['macro_f1'])} | | | | {fp32['latency_ms']['median']:.2f} |"]
    for m in report["models"]:
        out.append(f"| `{m['file']}` | {m['bytes'] / 1024:.0f} KiB | {pct(m['accuracy'])} | {pct(m['macro_f1'])} | "
                   f"{100 * m['accuracy_delta']:+.2f} | {pct(m['top1_agreement'])} | {m['max_probability_error']:.3f} | "
                   f"{m['latency_ms']['median']:.2f} |")
    return out


def model_tables(metrics):
    """The metric, per-class and confusion tables of one model, each followed by a blank line."""
    return "".join("\n".join(table) + "\n\n" for table in
                   (metric_table(metrics), per_class_table(metrics), confusion_block(metrics)))


def report_file(model_path, suffix):
    """models/report/NAME-<suffix> of models/NAME.onnx, where export and the CPU plan leave a model's report."""
    name = os.path.splitext(os.path.basename(model_path))[0]
    return os.path.join(os.path.dirname(model_path), "report", f"{name}-{suffix}")


def read_metrics(path):
    return json.load(open(report_file(path, "metrics.json")))


def read_val_by_epoch(path):
    log = report_file(path, "log.jsonl")
    return {r["epoch"]: r["val_acc"] for r in read_log(log)} if os.path.exists(log) else {}


def kd_tables(base_path, *kd_paths, every=5):
    """What distillation changed: metrics, per-class F1 and val accuracy per epoch, the base run against one or more
    distilled runs of its recipe (one teacher each), every change measured from the base."""
    paths = (base_path,) + kd_paths
    names = [os.path.splitext(os.path.basename(p))[0] for p in paths]
    runs = [read_metrics(p) for p in paths]

    def header(first, prefix=""):
        cells = [f"{prefix}`{names[0]}` (no KD)"] + [f"{prefix}`{n}` (KD)" for n in names[1:]]
        changes = ["change"] if len(kd_paths) == 1 else [f"change, `{n}`" for n in names[1:]]
        return [f"| {first} | " + " | ".join(cells + changes) + " |", "|---" * (1 + len(cells) + len(changes)) + "|"]

    def row(label, values, fmt, change_fmt):
        return (f"| {label} | " + " | ".join(fmt(v) for v in values) + " | "
                + " | ".join(change_fmt(v - values[0]) for v in values[1:]) + " |")

    rows = [(name, "plain", key) for name, key in METRIC_ROWS]
    rows.insert(1, ("accuracy, flip TTA", "flip_tta", "accuracy"))
    out = header("metric on val")
    for label, part, key in rows:
        out.append(row(label, [r[part][key] for r in runs], lambda v: f"{v:.4f}", lambda d: f"{d:+.4f}"))
    out += [""] + header("class", "F1 ")
    for label in LABELS:
        out.append(row(label, [r["plain"]["per_class"][label]["f1"] for r in runs], lambda v: f"{v:.3f}", lambda d: f"{d:+.3f}"))
    curves = [read_val_by_epoch(p) for p in paths]
    epochs = sorted(set.intersection(*(set(c) for c in curves)))
    if epochs:
        shown = [e for e in epochs if (e + 1) % every == 0 or e == epochs[0]] + [epochs[-1]]
        out += [""] + header("after epoch", "val ")
        for e in sorted(set(shown)):
            out.append(row(str(e + 1), [c[e] for c in curves], pct, lambda d: f"{100 * d:+.2f}"))
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", help="fp32 ONNX files in models/")
    parser.add_argument("--kd", action="append", default=[], metavar="BASE:DISTILLED[:...]",
                        help="compare fp32 ONNX files of one recipe, without and with distillation from one or more "
                             "teachers (repeat); a run that does not ship needs only its report/NAME-metrics.json and log")
    parser.add_argument("--unshipped", action="append", default=[], metavar="NAME",
                        help="a model without ONNX file: models/report/NAME-metrics.json from training.evaluate (repeat)")
    parser.add_argument("--models-dir", default="models", help="where --unshipped looks for report/NAME-metrics.json")
    args = parser.parse_args(argv)
    if not args.models and not args.kd and not args.unshipped:
        parser.error("give models, --kd BASE:DISTILLED, --unshipped NAME, or several")
    for name in args.unshipped:
        metrics = read_metrics(os.path.join(args.models_dir, name + ".onnx"))
        if "model" not in metrics:
            parser.error(f"--unshipped {name}: its metrics JSON has no 'model' section (make it with training.evaluate)")
        print(f"### {name}\n")
        print("| run | model | input | parameters | val accuracy | flip TTA | temperature | selected |")
        print("|---|---|---|---|---|---|---|---|")
        print(unshipped_summary_row(name, metrics) + "\n")
        print(model_tables(metrics), end="")
    for pair in args.kd:
        base_path, *kd_paths = pair.split(":")
        if not kd_paths or not all(kd_paths):
            parser.error(f"--kd {pair}: expected BASE:DISTILLED[:DISTILLED...]")
        print(f"### distillation: {os.path.basename(base_path)} -> {', '.join(map(os.path.basename, kd_paths))}\n")
        print("\n".join(kd_tables(base_path, *kd_paths)) + "\n")
    for path in args.models:
        stem = os.path.splitext(path)[0]
        name = os.path.basename(stem)
        manifest = json.load(open(stem + ".json"))
        metrics = read_metrics(path)
        print(f"### {name}\n")
        print("| file | model | input | parameters | file size | val accuracy | flip TTA | temperature | selected |")
        print("|---|---|---|---|---|---|---|---|---|")
        print(summary_row(path, manifest, metrics) + "\n")
        print(model_tables(metrics), end="")
        report_path = stem + ".quantize-report.json"
        if os.path.exists(report_path):
            print("\n".join(quantize_table(json.load(open(report_path)), os.path.basename(path))) + "\n")


if __name__ == "__main__":
    main()

"""Markdown tables for models/MODEL_CARD.md from what export and quantize wrote, so the card quotes measured figures.

    /usr/bin/python3 -m training.card_tables models/fer-mnv3s.onnx [models/fer-cnn4.onnx ...]

Reads, per model: the manifest (models/NAME.json), the metrics (models/report/NAME-metrics.json) and, when present, the
quantize report (models/NAME.quantize-report.json). Prints the summary, metric, per-class, confusion and quantization
tables of each model in turn.
"""
import argparse
import json
import os

LABELS = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]


def pct(x):
    return f"{100 * x:.2f}%"


def summary_row(path, manifest, metrics):
    training = manifest.get("training", {})
    size_mb = os.path.getsize(path) / 1e6
    plain, tta = metrics["plain"], metrics["flip_tta"]
    return (f"| `{os.path.basename(path)}` | {training.get('model')} | {training.get('input_size')} px | "
            f"{training.get('parameters', 0):,} | {size_mb:.2f} MB | {pct(plain['accuracy'])} | {pct(tta['accuracy'])} | "
            f"{metrics['temperature']:.3f} | epoch {training.get('epoch')} of {training.get('recipe', {}).get('epochs')}, "
            f"{training.get('train_seconds', 0) / 60:.0f} min |")


def metric_table(metrics):
    plain, tta = metrics["plain"], metrics["flip_tta"]
    rows = [("accuracy", "accuracy"), ("balanced accuracy", "balanced_accuracy"), ("macro F1", "macro_f1"),
            ("Cohen's kappa", "cohen_kappa"), ("log loss", "log_loss"), ("ECE (15 bins)", "ece"),
            ("ECE after temperature scaling", "ece_after_temperature")]
    out = ["| metric | plain | flip TTA |", "|---|---|---|"]
    for name, key in rows:
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+", help="fp32 ONNX files in models/")
    args = parser.parse_args()
    for path in args.models:
        stem = os.path.splitext(path)[0]
        name = os.path.basename(stem)
        manifest = json.load(open(stem + ".json"))
        metrics = json.load(open(os.path.join(os.path.dirname(path), "report", f"{name}-metrics.json")))
        print(f"### {name}\n")
        print("| file | model | input | parameters | file size | val accuracy | flip TTA | temperature | selected |")
        print("|---|---|---|---|---|---|---|---|---|")
        print(summary_row(path, manifest, metrics) + "\n")
        print("\n".join(metric_table(metrics)) + "\n")
        print("\n".join(per_class_table(metrics)) + "\n")
        print("\n".join(confusion_block(metrics)) + "\n")
        report_path = stem + ".quantize-report.json"
        if os.path.exists(report_path):
            print("\n".join(quantize_table(json.load(open(report_path)), os.path.basename(path))) + "\n")


if __name__ == "__main__":
    main()

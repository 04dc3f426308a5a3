"""Export a checkpoint to fp32 ONNX (opset 17, dynamic batch) with the manifest the SDK reads.

    /usr/bin/python3 -m training.export --checkpoint /root/fer-edge-runs/mnv3s-64/best.pt --output models/fer-mnv3s.onnx

Steps: load the checkpoint; evaluate it on val (metrics, temperature scaling); export; remove redundant Identity
nodes (OpenCV's dnn cannot load some of them); check the ONNX model against PyTorch on real val images (max abs
difference, top-1 agreement); write ``<output>.json`` (docs/model-manifest.md) with labels, input size,
normalization, temperature, sha256 and metrics.
"""
import argparse
import datetime
import hashlib
import json
import os
import subprocess
import sys

from training._require import require_torch

require_torch()

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import torch  # noqa: E402

from training import data, onnx_reference  # noqa: E402
from training.evaluate import evaluate, load_checkpoint, predict_logits  # noqa: E402

MEAN, STD = data.MEAN, data.STD


def remove_identity_nodes(model):
    """Drop Identity nodes: consumers read the Identity's input; an Identity feeding a graph output renames it."""
    graph = model.graph
    outputs = {o.name for o in graph.output}
    removed = 0
    for node in list(graph.node):
        if node.op_type != "Identity":
            continue
        src, dst = node.input[0], node.output[0]
        if dst in outputs:
            producers = [n for n in graph.node if src in n.output]
            if not producers or src in {i.name for i in graph.input} or src in outputs:
                continue
            for p in producers:
                p.output[list(p.output).index(src)] = dst
            for n in graph.node:
                if n is not node:
                    for k, name in enumerate(n.input):
                        if name == src:
                            n.input[k] = dst
        else:
            for n in graph.node:
                for k, name in enumerate(n.input):
                    if name == dst:
                        n.input[k] = src
        graph.node.remove(node)
        removed += 1
    return removed


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def export_onnx(model, size, path, opset=17):
    model = model.cpu().eval()
    dummy = torch.zeros(1, 1, size, size)
    torch.onnx.export(model, dummy, path, opset_version=opset, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, do_constant_folding=True)
    onnx_model = onnx.load(path)
    removed = remove_identity_nodes(onnx_model)
    onnx.checker.check_model(onnx_model)
    onnx.save(onnx_model, path)
    return removed


def verify(model, path, images, size):
    """Max abs logit difference and top-1 agreement between ONNX and PyTorch on real images."""
    torch_logits = predict_logits(model, images, size, "cpu").numpy()
    x = images.float().div(255.0)
    if x.shape[-1] != size:
        x = torch.nn.functional.interpolate(x, size=(size, size), mode="bilinear", align_corners=False)
    x = ((x - MEAN) / STD).numpy().astype(np.float32)
    (onnx_logits,), runner = onnx_reference.run(path, {"input": x})
    return {"images": len(images), "runner": runner,
            "max_abs_diff": float(np.abs(onnx_logits - torch_logits).max()),
            "top1_agreement": float((onnx_logits.argmax(1) == torch_logits.argmax(1)).mean())}


def git_commit():
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              cwd=os.path.dirname(os.path.abspath(__file__))).stdout.strip() or None
    except OSError:
        return None


def write_manifest(path, name, size, temperature, metrics, training, verification):
    manifest = {
        "schema": "fer-edge/model@1",
        "name": name,
        "format": "onnx",
        "precision": "fp32",
        "sha256": sha256(path),
        "labels": list(data.LABELS),
        "input": {"name": "input", "layout": "NCHW", "height": size, "width": size, "channels": 1, "color": "gray",
                  "mean": [MEAN], "std": [STD], "dtype": "float32"},
        "output": {"name": "logits", "kind": "logits"},
        "temperature": round(temperature, 4),
        "crop": {"expand": 1.25},
        "metrics": metrics,
        "training": training,
        "export": verification,
    }
    manifest_path = os.path.splitext(path)[0] + ".json"
    with open(manifest_path, "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    return manifest_path


def main(argv=None):
    p = argparse.ArgumentParser(description="fer-edge: export a checkpoint to ONNX with its manifest")
    p.add_argument("--checkpoint", required=True, help="best.pt or last.pt written by training.train")
    p.add_argument("--output", required=True, help="the .onnx file to write; the manifest goes beside it (.json)")
    p.add_argument("--name", default=None, help="model name in the manifest (default: the file name)")
    p.add_argument("--data", default="../shared/data/fer2013", help="for evaluation and the export check")
    p.add_argument("--split", default="val")
    p.add_argument("--cache-dir", default=os.path.expanduser("~/fer-edge-runs/cache"))
    p.add_argument("--opset", type=int, default=17)
    p.add_argument("--verify-images", type=int, default=64, help="real images for the ONNX vs PyTorch check")
    p.add_argument("--report-dir", default=None, help="also write <name>-metrics.json and <name>-confusion.png here")
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)

    model, args, ckpt = load_checkpoint(a.checkpoint)
    size = args.input_size
    name = a.name or os.path.splitext(os.path.basename(a.output))[0]
    images, labels = data.load_split(a.data, a.split, a.cache_dir or None)
    report = evaluate(model, images, labels, size, "cpu", a.report_dir, name)
    plain, tta = report["plain"], report["flip_tta"]
    keys = ("accuracy", "balanced_accuracy", "macro_f1", "cohen_kappa", "log_loss", "ece")
    metrics = {a.split: {k: round(plain[k], 4) for k in keys}}
    metrics[a.split]["ece_after_temperature"] = round(plain["ece_after_temperature"], 4)
    metrics[a.split]["accuracy_flip_tta"] = round(tta["accuracy"], 4)
    metrics[a.split]["split"] = "FER2013 PublicTest" if a.split == "val" else a.split

    os.makedirs(os.path.dirname(os.path.abspath(a.output)), exist_ok=True)
    removed = export_onnx(model, size, a.output, a.opset)
    check = verify(model, a.output, images[:a.verify_images], size)
    check.update({"opset": a.opset, "identity_nodes_removed": removed, "torch": torch.__version__})
    n_params = sum(t.numel() for t in model.parameters())
    training = {"model": args.model, "parameters": n_params, "input_size": size, "epoch": ckpt.get("epoch"),
                "train_seconds": round(ckpt.get("train_seconds", 0.0)),
                "recipe": {k: args.__dict__.get(k) for k in (
                    "epochs", "batch_size", "lr", "weight_decay", "warmup_epochs", "label_smoothing", "imbalance",
                    "class_weight_power", "aug", "random_erasing", "downsample", "width_mult", "backbone", "tokens",
                    "progressive", "stage_epochs", "stage_lr_decay", "init", "teacher", "teacher_logits", "kd_alpha",
                    "kd_temperature", "seed")},
                "code_commit": git_commit(),
                "exported": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}
    manifest_path = write_manifest(a.output, name, size, report["temperature"], metrics, training, check)
    size_kb = os.path.getsize(a.output) / 1024
    print(f"wrote {a.output} ({size_kb:.0f} KB, {n_params / 1e6:.3f}M parameters) and {manifest_path}")
    print(f"val accuracy {plain['accuracy']:.4f} (flip TTA {tta['accuracy']:.4f}), macro F1 {plain['macro_f1']:.4f}, "
          f"temperature {report['temperature']:.3f}, ECE {plain['ece']:.4f} -> {plain['ece_after_temperature']:.4f}")
    print(f"ONNX vs PyTorch on {check['images']} real images ({check['runner']}): max abs diff "
          f"{check['max_abs_diff']:.2e}, top-1 agreement {check['top1_agreement']:.3f}")
    if check["max_abs_diff"] > 1e-3:
        print("error: the ONNX model does not match PyTorch", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

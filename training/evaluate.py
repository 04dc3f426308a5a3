"""Evaluate a checkpoint on val: every metric of the model card, with and without flip test-time augmentation,
temperature scaling fitted on val, a confusion-matrix PNG and a metrics JSON.

    /usr/bin/python3 -m training.evaluate --checkpoint /root/fer-edge-runs/mnv3s-64/best.pt --out-dir models/eval
"""
import argparse
import json
import os

from training._require import require_torch

require_torch()

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from training import data, metrics  # noqa: E402


@torch.no_grad()
def predict_logits(model, images, size, device, batch_size=256, flip=False, mean=data.MEAN, std=data.STD):
    """Logits for uint8 images [N,1,48,48], resized to ``size``; with ``flip``, averaged with the mirrored image."""
    was_training = model.training
    model.eval()
    out = []
    for i in range(0, len(images), batch_size):
        x = images[i:i + batch_size].to(device).float().div_(255.0)
        if x.shape[-1] != size:
            x = F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False)
        x = (x - mean) / std
        logits = model(x).float()
        if flip:
            logits = (logits + model(x.flip(3)).float()) / 2
        out.append(logits.cpu())
    model.train(was_training)
    return torch.cat(out)


def load_checkpoint(path, device="cpu"):
    from training.train import build_model

    ckpt = torch.load(path, map_location="cpu")
    args = argparse.Namespace(**ckpt["args"])
    model = build_model(args, init_weights=False)
    model.load_state_dict(ckpt["model"])
    return model.to(device).eval(), args, ckpt


def evaluate(model, images, labels, size, device="cpu", out_dir=None, name="model"):
    """All metrics on (images, labels), plain and with flip TTA; the fitted temperature; PNG of the confusion matrix."""
    logits = predict_logits(model, images, size, device)
    logits_tta = predict_logits(model, images, size, device, flip=True)
    temperature = metrics.fit_temperature(logits, labels)
    temperature_tta = metrics.fit_temperature(logits_tta, labels)
    report = {
        "plain": metrics.all_metrics(logits, labels),
        "flip_tta": metrics.all_metrics(logits_tta, labels),
        "temperature": temperature,
        "temperature_tta": temperature_tta,
    }
    report["plain"]["ece_after_temperature"] = metrics.expected_calibration_error(
        torch.softmax(logits / temperature, 1), labels)
    report["plain"]["log_loss_after_temperature"] = metrics.log_loss(logits / temperature, labels)
    report["flip_tta"]["ece_after_temperature"] = metrics.expected_calibration_error(
        torch.softmax(logits_tta / temperature_tta, 1), labels)
    if out_dir:
        write_report(report, out_dir, name)
    return report


def write_report(report, out_dir, name):
    """out_dir/NAME-confusion.png and out_dir/NAME-metrics.json."""
    os.makedirs(out_dir, exist_ok=True)
    metrics.plot_confusion_matrix(report["plain"]["confusion_matrix"], os.path.join(out_dir, f"{name}-confusion.png"),
                                  title=f"{name}: val (PublicTest), acc {report['plain']['accuracy']:.4f}")
    with open(os.path.join(out_dir, f"{name}-metrics.json"), "w") as f:
        json.dump(report, f, indent=1)


def main(argv=None):
    p = argparse.ArgumentParser(description="fer-edge: evaluate a checkpoint on val")
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--data", default="../shared/data/fer2013")
    p.add_argument("--split", default="val")
    p.add_argument("--cache-dir", default=os.path.expanduser("~/fer-edge-runs/cache"))
    p.add_argument("--out-dir", default=None)
    p.add_argument("--name", default=None)
    p.add_argument("--device", default="cpu")
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    model, args, ckpt = load_checkpoint(a.checkpoint, a.device)
    images, labels = data.load_split(a.data, a.split, a.cache_dir or None)
    report = evaluate(model, images, labels, args.input_size, a.device, None, a.name or args.model)
    # what the card says of a model that is not exported (the teacher): its size and how it was selected
    report["model"] = {"model": args.model, "input_size": args.input_size,
                       "parameters": sum(p.numel() for p in model.parameters()),
                       "epoch": ckpt.get("epoch"), "epochs": args.epochs, "train_seconds": ckpt.get("train_seconds")}
    if a.out_dir:
        write_report(report, a.out_dir, a.name or args.model)
    summary = {k: report["plain"][k] for k in ("accuracy", "balanced_accuracy", "macro_f1", "cohen_kappa", "log_loss", "ece")}
    summary["accuracy_flip_tta"] = report["flip_tta"]["accuracy"]
    summary["temperature"] = report["temperature"]
    summary["ece_after_temperature"] = report["plain"]["ece_after_temperature"]
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()

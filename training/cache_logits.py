"""Cache a teacher's logits on the train split for distillation without running the teacher every step.

    /usr/bin/python3 -m training.cache_logits --teacher /root/fer-edge-runs/teacher-48-light/best.pt \
        --output /root/fer-edge-runs/teacher-48-light/train-logits.pt

The logits are those of the un-augmented image averaged with its mirror (the teacher's flip TTA), in the order of
``data.load_split`` (the same order training.train indexes), stored as float16 with the split's size and a
checksum of the labels so that a mismatched cache is refused. 28,709 x 7 float16 = 400 KB.
"""
import argparse
import os

from training._require import require_torch

require_torch()

import torch  # noqa: E402

from training import data  # noqa: E402
from training.evaluate import load_checkpoint, predict_logits  # noqa: E402


def main(argv=None):
    p = argparse.ArgumentParser(description="fer-edge: cache teacher logits for distillation")
    p.add_argument("--teacher", required=True, nargs="+",
                   help="teacher checkpoints (best.pt); several are an ensemble (mean log-probabilities)")
    p.add_argument("--output", required=True)
    p.add_argument("--data", default="../shared/data/fer2013")
    p.add_argument("--split", default="train")
    p.add_argument("--cache-dir", default=os.path.expanduser("~/fer-edge-runs/cache"))
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--no-flip", action="store_true", help="plain logits only")
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    images, labels = data.load_split(a.data, a.split, a.cache_dir or None)
    members, epochs = [], []
    for path in a.teacher:
        model, args, ckpt = load_checkpoint(path, a.device)
        logits = predict_logits(model, images, args.input_size, a.device, a.batch_size, flip=not a.no_flip)
        members.append(torch.log_softmax(logits, 1))
        epochs.append(ckpt.get("epoch"))
    logits = members[0] if len(members) == 1 else torch.stack(members).mean(0)
    acc = (logits.argmax(1) == labels).float().mean().item()
    torch.save({"logits": logits.half(), "labels": labels, "split": a.split,
                "teacher": "+".join(os.path.abspath(t) for t in a.teacher),
                "teacher_epoch": epochs[0] if len(epochs) == 1 else epochs, "flip": not a.no_flip}, a.output)
    print(f"wrote {a.output}: {tuple(logits.shape)} logits, teacher accuracy on {a.split} {acc:.4f}")


if __name__ == "__main__":
    main()

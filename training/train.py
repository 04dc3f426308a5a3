"""Train a FER2013 model: teacher, baselines or the MobileNetV3-Small student (optionally distilled).

    /usr/bin/python3 -m training.train --model mnv3s --input-size 64 --output-dir /root/fer-edge-runs/mnv3s-64

Runs on CPU, one CUDA GPU (``--device cuda --amp``) or several through ``torchrun --nproc_per_node=N -m
training.train ...`` (DDP). The whole split is held in memory as uint8 and augmented batched on the device
(``presets.py``). A checkpoint (``last.pt``) is written every epoch and every ``--ckpt-minutes`` inside an epoch;
``--resume`` continues from it at the same batch. ``best.pt`` holds the weights with the best val accuracy;
``log.jsonl`` one line per epoch.
"""
import argparse
import datetime
import json
import os
import sys
import time

from training._require import require_torch

require_torch()

import torch  # noqa: E402
import torch.distributed as dist  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from training import data, losses, presets, sampler, schedule  # noqa: E402
from training.evaluate import predict_logits  # noqa: E402
from training.models import get_model  # noqa: E402

DEFAULT_SIZES = {"teacher": 112, "cnn4": 48, "resnet18": 64, "mnv3s": 64, "mnv3s-edgetpu": 64}


def get_args_parser(add_help=True):
    p = argparse.ArgumentParser(description="fer-edge: train a FER2013 model", add_help=add_help)
    p.add_argument("--data", default="../shared/data/fer2013",
                   help="folder with train/<class>/*.jpg and val/<class>/*.jpg, or the original fer2013.csv")
    p.add_argument("--train-split", default="train")
    p.add_argument("--val-split", default="val", help="selection split (val = FER2013 PublicTest)")
    p.add_argument("--cache-dir", default=os.path.expanduser("~/fer-edge-runs/cache"),
                   help="where decoded splits are cached as .pt ('' to disable)")
    p.add_argument("--model", default="mnv3s", help="teacher | cnn4 | resnet18 | mnv3s | mnv3s-edgetpu")
    p.add_argument("--input-size", type=int, default=None, help="square input side in pixels (default per model)")
    p.add_argument("--downsample", type=int, default=None, help="mnv3s: total stride 8, 16 or 32 (stock)")
    p.add_argument("--width-mult", type=float, default=None, help="mnv3s: width multiplier")
    p.add_argument("--backbone", choices=["face-resnet", "resnet50"], default="face-resnet",
                   help="teacher: dlib's face-recognition ResNet from @vladmandic/face-api (112 px and up), or ResNet50")
    p.add_argument("--tokens", choices=["stage3", "stage4", "out"], default="stage4",
                   help="teacher on face-resnet: the feature map its attention and transformer read")
    p.add_argument("--pretrained", default=None, help="local ImageNet state_dict file (teacher, resnet18); never downloaded")
    p.add_argument("--progressive", action="store_true",
                   help="a pretrained backbone (face-resnet, or --pretrained): head only, then stages deep->shallow, "
                        "then head again")
    p.add_argument("--stage-epochs", type=int, default=2, help="--progressive: epochs per unfreezing phase")
    p.add_argument("--stage-lr-decay", type=float, default=0.5, help="--progressive: lr factor per stage below the head")
    p.add_argument("--output-dir", required=True, help="checkpoints and logs (keep it outside the git work tree)")
    p.add_argument("--resume", action="store_true", help="continue from <output-dir>/last.pt if it exists")
    p.add_argument("--resume-weights", default=None,
                   help="with --resume and no last.pt: continue from a snapshot (training.recipes snapshot: fp16 weights "
                        "and the position in the schedule, no optimizer state; the optimizer starts afresh)")
    p.add_argument("--init", default=None,
                   help="start from the weights of a checkpoint of the same model (a new schedule, fresh optimizer)")
    p.add_argument("--epochs", type=int, default=60)
    p.add_argument("--batch-size", type=int, default=128, help="per process")
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--min-lr", type=float, default=1e-5)
    p.add_argument("--weight-decay", type=float, default=0.05)
    p.add_argument("--warmup-epochs", type=float, default=2.0)
    p.add_argument("--label-smoothing", type=float, default=0.1)
    p.add_argument("--imbalance", choices=["none", "loss", "sampler"], default="loss",
                   help="inverse-frequency class weights in the loss, or a weighted random sampler (never both)")
    p.add_argument("--class-weight-power", type=float, default=1.0, help="loss weights = inverse frequency ** power")
    p.add_argument("--aug", choices=["reports", "medium", "light", "none"], default="reports", help="augmentation preset")
    p.add_argument("--random-erasing", type=float, default=0.0, help="probability of random erasing per image")
    p.add_argument("--time-budget", type=float, default=None,
                   help="minutes: after each epoch, shorten the schedule (--epochs) so that the run ends within them; "
                        "the epochs it settles on are logged and kept in the checkpoint's args")
    p.add_argument("--early-stop", type=int, default=15, help="stop after N epochs without val improvement (0: never)")
    p.add_argument("--teacher", nargs="+", default=None,
                   help="online KD: teacher checkpoints (best.pt), each run on the same augmented view at its own size; "
                        "several are an ensemble (mean log-probabilities)")
    p.add_argument("--teacher-logits", default=None, help="cached KD: a .pt of teacher logits for the train split")
    p.add_argument("--kd-alpha", type=float, default=0.7)
    p.add_argument("--kd-temperature", type=float, default=4.0)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--amp", action="store_true", help="mixed precision (CUDA only; ignored on CPU)")
    p.add_argument("--threads", type=int, default=2, help="CPU threads (torch.set_num_threads)")
    p.add_argument("--no-channels-last", dest="channels_last", action="store_false")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--deterministic", action="store_true", help="deterministic CUDA kernels (slower)")
    p.add_argument("--ckpt-minutes", type=float, default=10.0, help="also checkpoint inside an epoch this often")
    p.add_argument("--limit", type=int, default=None, help="use only the first N train and val images (tests)")
    p.add_argument("--no-progress", action="store_true")
    return p


def build_model(args, init_weights=True):
    """The model of ``args``; ``init_weights=False`` skips pretrained weights (a checkpoint is loaded next)."""
    kwargs = {"downsample": args.downsample, "width_mult": args.width_mult}
    if args.model == "resnet18":
        kwargs = {"pretrained": args.pretrained if init_weights else None, "input_size": args.input_size}
    elif args.model == "teacher":
        kwargs = {"pretrained": args.pretrained, "input_size": args.input_size, "init_weights": init_weights,
                  "backbone": getattr(args, "backbone", "face-resnet"), "tokens": getattr(args, "tokens", "stage4")}
    return get_model(args.model, **kwargs)


def load_teacher(path, device):
    ckpt = torch.load(path, map_location="cpu")
    targs = argparse.Namespace(**ckpt["args"])
    model = build_model(targs, init_weights=False)
    model.load_state_dict(ckpt["model"])
    return model.to(device).eval(), targs.input_size


def teacher_view_logits(teachers, augs, x, generator_seed, device, memory_format):
    """Mean log-probabilities of the teachers on the student's augmented view, drawn again at each teacher's size."""
    out = []
    for teacher, aug in zip(teachers, augs):
        gen = torch.Generator(device=device).manual_seed(generator_seed)
        tx = aug(x, generator=gen).contiguous(memory_format=memory_format)
        out.append(F.log_softmax(teacher(tx).float(), dim=1))
    return torch.stack(out).mean(0)


def fp16_weights(state):
    """A state_dict with its floating-point tensors as fp16 (snapshots and what a training machine sends home)."""
    return {k: v.half() if v.is_floating_point() else v for k, v in state.items()}


def save_atomic(obj, path):
    torch.save(obj, path + ".tmp")
    os.replace(path + ".tmp", path)


def setup_distributed(args):
    args.world_size = int(os.environ.get("WORLD_SIZE", "1"))
    args.rank = int(os.environ.get("RANK", "0"))
    if args.world_size > 1:
        local_rank = int(os.environ.get("LOCAL_RANK", "0"))
        if args.device.startswith("cuda"):
            torch.cuda.set_device(local_rank)
            args.device = f"cuda:{local_rank}"
        dist.init_process_group("nccl" if args.device.startswith("cuda") else "gloo")


def main(args):
    setup_distributed(args)
    is_main = args.rank == 0
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    if args.deterministic:
        torch.backends.cudnn.benchmark = False
        torch.use_deterministic_algorithms(True, warn_only=True)
    elif args.device.startswith("cuda"):
        torch.backends.cudnn.benchmark = True
    device = torch.device(args.device)
    if args.model == "teacher" and not args.input_size and args.backbone == "resnet50":
        args.input_size = 48
    args.input_size = args.input_size or DEFAULT_SIZES.get(args.model, 64)
    os.makedirs(args.output_dir, exist_ok=True)
    log_path = os.path.join(args.output_dir, "log.jsonl")

    cache = args.cache_dir or None
    train_x, train_y = data.load_split(args.data, args.train_split, cache)
    val_x, val_y = data.load_split(args.data, args.val_split, cache)
    cached_logits = None
    if args.teacher_logits:
        blob = torch.load(args.teacher_logits)
        if not torch.equal(blob["labels"], train_y):
            raise ValueError(f"{args.teacher_logits} was not made on this train split (see training.cache_logits)")
        cached_logits = blob["logits"].float()
    if args.limit:  # a fixed random subset of each split (tests, smoke runs)
        g = torch.Generator().manual_seed(0)
        ti, vi = torch.randperm(len(train_y), generator=g)[:args.limit], torch.randperm(len(val_y), generator=g)[:args.limit]
        train_x, train_y, val_x, val_y = train_x[ti], train_y[ti], val_x[vi], val_y[vi]
        cached_logits = cached_logits[ti] if cached_logits is not None else None
    if is_main:
        print(f"train: {data.format_counts(train_y)}")
        print(f"val:   {data.format_counts(val_y)}")

    model = build_model(args)
    memory_format = torch.channels_last if args.channels_last else torch.contiguous_format
    model = model.to(device, memory_format=memory_format)
    resuming = args.resume and os.path.exists(os.path.join(args.output_dir, "last.pt"))
    snapshot = args.resume and not resuming and args.resume_weights and os.path.exists(args.resume_weights)
    if snapshot:
        model.load_state_dict(torch.load(args.resume_weights, map_location="cpu")["model"])
    elif args.init and not resuming:
        model.load_state_dict(torch.load(args.init, map_location="cpu")["model"])
    elif hasattr(model, "calibrate") and not resuming:  # a pretrained backbone's BatchNorm statistics, on training faces
        g = torch.Generator().manual_seed(args.seed)
        sample = train_x[torch.randperm(len(train_x), generator=g)[:1024]].to(device).float().div(255.0)
        model.calibrate(presets.ClassificationPresetEval(args.input_size)(sample))
    n_params = sum(p.numel() for p in model.parameters())
    if is_main:
        print(f"model {args.model}: {n_params / 1e6:.3f}M parameters, input {args.input_size}px, device {device}")

    weight = None
    if args.imbalance == "loss":
        weight = losses.inverse_frequency_weights(train_y, power=args.class_weight_power).to(device)
        if is_main:
            print("class weights: " + ", ".join(f"{n} {w:.2f}" for n, w in zip(data.LABELS, weight.tolist())))
    criterion = torch.nn.CrossEntropyLoss(weight=weight, label_smoothing=args.label_smoothing)
    teachers = []
    if args.teacher and args.teacher_logits:
        raise ValueError("give --teacher (online) or --teacher-logits (cached), not both")
    if args.teacher or args.teacher_logits:
        criterion = losses.DistillationLoss(args.kd_alpha, args.kd_temperature, weight, args.label_smoothing)
        teachers = [load_teacher(path, device) for path in args.teacher or []]
        for t, _ in teachers:
            t.to(memory_format=memory_format)

    progressive = (args.progressive and hasattr(model, "stage_groups")
                   and (bool(args.pretrained) or getattr(model, "pretrained", False)))
    optimizer = torch.optim.AdamW(
        schedule.param_groups(model, args.weight_decay, progressive, args.stage_lr_decay), lr=args.lr)
    use_amp = args.amp and device.type == "cuda"
    scaler = (torch.amp.GradScaler("cuda", enabled=use_amp) if hasattr(torch.amp, "GradScaler")
              else torch.cuda.amp.GradScaler(enabled=use_amp))

    train_model = model
    if args.world_size > 1:
        train_model = torch.nn.parallel.DistributedDataParallel(
            model, device_ids=[device.index] if device.type == "cuda" else None, find_unused_parameters=progressive)

    aug = presets.train_preset(args.aug, args.input_size, args.random_erasing)
    teacher_augs = [presets.train_preset(args.aug, size, args.random_erasing) for _, size in teachers]

    steps_per_epoch = len(train_y) // args.world_size // args.batch_size
    total_steps = steps_per_epoch * args.epochs
    warmup_steps = int(args.warmup_epochs * steps_per_epoch)

    start_epoch, start_step, best_acc, best_epoch, train_seconds = 0, 0, 0.0, -1, 0.0
    last_path = os.path.join(args.output_dir, "last.pt")
    if args.resume and os.path.exists(last_path):
        ckpt = torch.load(last_path, map_location="cpu")
        model.load_state_dict(ckpt["model"])
        optimizer.load_state_dict(ckpt["optimizer"])
        scaler.load_state_dict(ckpt["scaler"])
        start_epoch, start_step = ckpt["epoch"], ckpt["step"]
        best_acc, best_epoch, train_seconds = ckpt["best_acc"], ckpt["best_epoch"], ckpt["train_seconds"]
        if is_main:
            print(f"resumed from {last_path}: epoch {start_epoch} step {start_step}, best val {best_acc:.4f}")
    elif snapshot:
        ckpt = torch.load(args.resume_weights, map_location="cpu")
        start_epoch, start_step = ckpt["epoch"], ckpt["step"]
        best_acc, best_epoch, train_seconds = ckpt["best_acc"], ckpt["best_epoch"], ckpt["train_seconds"]
        if is_main:
            print(f"resumed from the snapshot {args.resume_weights}: epoch {start_epoch} step {start_step}, best val "
                  f"{best_acc:.4f} (fresh optimizer state)")

    def checkpoint(epoch, step, seconds):
        if is_main:
            save_atomic({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                         "scaler": scaler.state_dict(), "epoch": epoch, "step": step, "best_acc": best_acc,
                         "best_epoch": best_epoch, "train_seconds": seconds, "args": vars(args)}, last_path)

    from tqdm import tqdm
    lr = args.lr
    loop_start, planned_epochs = time.time(), args.epochs
    show = is_main and not args.no_progress and sys.stderr.isatty()
    epoch = start_epoch
    while epoch < args.epochs:
        epoch_started = time.time()
        train_model.train()
        if progressive:
            deepest = schedule.deepest_trainable_stage(epoch, len(model.stage_groups()), args.stage_epochs, args.epochs)
            schedule.apply_freezing(optimizer, deepest)
            if is_main:
                print(f"epoch {epoch}: training {', '.join(n for n, _ in model.stage_groups()[:deepest + 1])}")
        order = sampler.epoch_indices(train_y, epoch, args.seed, args.imbalance == "sampler", args.world_size, args.rank)
        batches = sampler.batches(order, args.batch_size)
        first = start_step if epoch == start_epoch else 0
        t0 = time.time()
        last_ckpt = t0
        aug_seconds = 0.0
        loss_sum, correct, seen = 0.0, 0, 0
        bar = tqdm(range(first, len(batches)), disable=not show, desc=f"epoch {epoch}", dynamic_ncols=True)
        for step in bar:
            idx = batches[step]
            global_step = epoch * steps_per_epoch + step
            lr = schedule.lr_at(global_step, total_steps, warmup_steps, args.lr, args.min_lr)
            for group in optimizer.param_groups:
                group["lr"] = lr * group.get("lr_scale", 1.0)
            ta = time.time()
            view_seed = args.seed * 1_000_003 + global_step
            gen = torch.Generator(device=device).manual_seed(view_seed)
            raw = train_x[idx].to(device, non_blocking=True).float().div_(255.0)
            y = train_y[idx].to(device, non_blocking=True)
            x = aug(raw, generator=gen).contiguous(memory_format=memory_format)
            aug_seconds += time.time() - ta
            with torch.autocast(device_type=device.type, enabled=use_amp):
                logits = train_model(x)
                if teachers:
                    with torch.no_grad():
                        teacher_logits = teacher_view_logits([t for t, _ in teachers], teacher_augs, raw, view_seed,
                                                             device, memory_format)
                    loss = criterion(logits.float(), y, teacher_logits)
                elif cached_logits is not None:
                    loss = criterion(logits, y, cached_logits[idx].to(device))
                else:
                    loss = criterion(logits, y)
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
            loss_sum += loss.item() * len(idx)
            correct += (logits.argmax(1) == y).sum().item()
            seen += len(idx)
            if show:
                bar.set_postfix(loss=f"{loss_sum / seen:.3f}", acc=f"{correct / seen:.3f}")
            elif is_main and (step + 1) % max(1, len(batches) // 10) == 0:
                print(f"epoch {epoch} step {step + 1}/{len(batches)} loss {loss_sum / seen:.4f} acc {correct / seen:.4f}"
                      f" {(time.time() - t0) / (step + 1 - first):.2f} s/step", flush=True)
            if args.ckpt_minutes and time.time() - last_ckpt > args.ckpt_minutes * 60 and step + 1 < len(batches):
                checkpoint(epoch, step + 1, train_seconds + time.time() - t0)
                last_ckpt = time.time()
        epoch_seconds = time.time() - t0
        train_seconds += epoch_seconds

        te = time.time()
        val_logits = predict_logits(model, val_x, args.input_size, device, batch_size=256)
        val_loss = F.cross_entropy(val_logits, val_y).item()
        val_acc = (val_logits.argmax(1) == val_y).float().mean().item()
        eval_seconds = time.time() - te
        if args.time_budget:  # the latest epoch's pace: the first ones pay for warm-up and kernel selection
            per_epoch = time.time() - epoch_started
            fit = epoch + 1 + int((args.time_budget * 60 - (time.time() - loop_start)) // per_epoch)
            fit = max(epoch + 1, min(planned_epochs, fit))
            if fit != args.epochs:
                args.epochs = fit
                total_steps = steps_per_epoch * args.epochs
                if is_main:
                    print(f"time budget: {per_epoch:.1f} s an epoch, schedule set to {args.epochs} epochs", flush=True)
        improved = val_acc > best_acc
        if improved:
            best_acc, best_epoch = val_acc, epoch
            if is_main:
                save_atomic({"model": model.state_dict(), "args": vars(args), "epoch": epoch, "val_acc": val_acc,
                             "train_seconds": train_seconds}, os.path.join(args.output_dir, "best.pt"))
        checkpoint(epoch + 1, 0, train_seconds)
        record = {"epoch": epoch, "train_loss": loss_sum / max(1, seen), "train_acc": correct / max(1, seen),
                  "val_loss": val_loss, "val_acc": val_acc, "best_val_acc": best_acc, "best_epoch": best_epoch,
                  "lr": lr, "epoch_seconds": round(epoch_seconds, 1),
                  "aug_seconds": round(aug_seconds, 1), "eval_seconds": round(eval_seconds, 1),
                  "images": seen, "resumed_at_step": first,
                  "time": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}
        if is_main:
            with open(log_path, "a") as f:
                f.write(json.dumps(record) + "\n")
            print(json.dumps(record), flush=True)
        if args.early_stop and epoch - best_epoch >= args.early_stop:
            if is_main:
                print(f"early stop: no val improvement for {args.early_stop} epochs (best {best_acc:.4f} at {best_epoch})")
            break
        epoch += 1
    if args.world_size > 1:
        dist.destroy_process_group()
    return best_acc


if __name__ == "__main__":
    main(get_args_parser().parse_args())

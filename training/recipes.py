"""Run the named recipes of ``training/recipes.yaml`` through ``training.train``.

    /usr/bin/python3 -m training.recipes list
    /usr/bin/python3 -m training.recipes args NAME [--runs DIR]
    /usr/bin/python3 -m training.recipes train NAME [--runs DIR] [-- more training flags]
    /usr/bin/python3 -m training.recipes start NAME [--threads N] [--nice N] [-- more training flags]
    /usr/bin/python3 -m training.recipes status
    /usr/bin/python3 -m training.recipes stop NAME
    /usr/bin/python3 -m training.recipes prepare NAME
    /usr/bin/python3 -m training.recipes ensemble [MODEL|FILE.onnx ...]
    /usr/bin/python3 -m training.recipes snapshot NAME [--runs DIR]

A run writes to ``RUNS/NAME`` (``--runs``, else ``$FER_RUNS``, else ``~/fer-edge-runs``: outside the work tree, so a
fresh clone continues it) and resumes from its ``last.pt``; flags after ``--`` are added last, so they win
(``--device cuda --amp``, ``--data``, ``--epochs``).

``train`` runs in the foreground. ``start`` runs in the background, in its own session (it ends with the machine: run
``start`` again to resume), logging to ``RUNS/NAME/train.out``; ``status`` shows every run's last epoch, ``stop``
sends SIGTERM (the run keeps its last checkpoint, at most 10 minutes old in the CPU recipes). With the kernel's
autogroup scheduling a process's nice value only ranks it within its session, so ``start`` sets the nice value of the
run's session too (``--nice``, default 19: the run yields to interactive work; 0 when training is the machine's main
job). Torch with 2 threads on 2 busy cores slows down badly (its threads wait for each other): give a run
``--threads 2`` only when nothing else computes.

A distilled recipe's ``teacher-logits`` must exist before it starts; ``start`` puts them in place first (``prepare``
does it alone, e.g. before ``train``): for ``RUNS/RUN/train-logits.pt`` the committed copy
``models/teacher/RUN-train-logits.pt`` (or ``$FER_TEACHER_STORE/...``) if there is one, so that a resumed run keeps its
teacher, else the named ensemble RUN of ``ENSEMBLES``, made from its members' predictions. ``ensemble [MEMBER ...]``
makes ``RUNS/ensemble/train-logits.pt`` alone.

A run that must outlive its machine: ``snapshot`` writes ``training/runs/NAME.pt`` (fp16 weights and the position in
the schedule, no optimizer state, a few MB) to commit; on a machine without ``RUNS/NAME/last.pt``, ``train NAME``
continues from it (the optimizer starts afresh). Delete the file when the run is done.
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RECIPES = os.path.join(ROOT, "training", "recipes.yaml")
SNAPSHOTS = os.path.join(ROOT, "training", "runs")
SNAPSHOT_LIMIT = 8_000_000
DEFAULT_RUNS = os.path.expanduser("~/fer-edge-runs")
DATA = os.path.abspath(os.environ.get("FER2013_DIR") or os.path.join(ROOT, "..", "shared", "data", "fer2013"))
TEACHER_STORE = os.path.abspath(os.environ.get("FER_TEACHER_STORE") or os.path.join(ROOT, "models", "teacher"))

# The stand-in teachers of the *-kd-ens recipes: each member's flip-TTA probabilities through the device path
# (`fer-edge eval`, ONNX Runtime), their log-probabilities averaged by training.ensemble_logits into
# RUNS/NAME/train-logits.pt. A member is a shipped model (models/NAME.onnx), an .onnx file with its manifest beside it,
# or run:RUN/FILE.onnx, exported from RUNS/RUN/best.pt when missing (the teacher does not ship).
ENSEMBLES = {
    "ensemble": ["fer-mnv3s", "fer-cnn4"],
    "ensemble-teacher": ["fer-mnv3s", "fer-cnn4", "run:teacher-48-light/teacher-48-light.onnx"],
}


def load(path=RECIPES):
    with open(path) as f:
        return yaml.safe_load(f)


def resolve(recipes, name, seen=()):
    """The recipe's flags with its ``inherit`` chain applied (later keys win)."""
    if name not in recipes:
        runs = ", ".join(n for n in recipes if not n.startswith("_"))
        raise KeyError(f"unknown recipe {name!r}; recipes: {runs}")
    if name in seen:
        raise ValueError(f"recipe {name!r} inherits from itself")
    recipe = dict(recipes[name])
    parent = recipe.pop("inherit", None)
    flags = resolve(recipes, parent, seen + (name,)) if parent else {}
    flags.update(recipe)
    return flags


def _value(value, runs):
    text = str(value)
    if text.startswith("run:"):
        ref = text[4:]
        return os.path.join(runs, ref) if "/" in ref else os.path.join(runs, ref, "best.pt")
    return text


def to_argv(flags, runs):
    argv = []
    for key, value in flags.items():
        if value is None or value is False:
            continue
        if value is True:
            argv.append(f"--{key}")
        elif isinstance(value, list):
            argv += [f"--{key}"] + [_value(v, runs) for v in value]
        else:
            argv += [f"--{key}", _value(value, runs)]
    return argv


def train_argv(name, runs, extra=(), recipes=None, snapshots=SNAPSHOTS):
    flags = {"data": DATA, **resolve(recipes or load(), name)}
    argv = to_argv(flags, runs) + ["--output-dir", os.path.join(runs, name), "--resume"]
    snapshot = os.path.join(snapshots, f"{name}.pt")
    if os.path.exists(snapshot):
        argv += ["--resume-weights", snapshot]
    return argv + list(extra)


def member_file(member, runs):
    if member.startswith("run:"):
        return _value(member, runs)
    return os.path.abspath(member) if member.endswith(".onnx") else os.path.join(ROOT, "models", f"{member}.onnx")


def make_ensemble(name, members, runs):
    """RUNS/NAME/train-logits.pt: the members' flip-TTA log-probabilities on the train faces, averaged."""
    files = [member_file(m, runs) for m in members]
    for member, file in zip(members, files):
        if member.startswith("run:") and not os.path.exists(file):
            run = member[4:].split("/")[0]
            best = os.path.join(runs, run, "best.pt")
            if not os.path.exists(best):
                raise RuntimeError(f"no {best}: train {run} first")
            subprocess.run([sys.executable, "-m", "training.export", "--checkpoint", best, "--output", file,
                            "--name", run, "--data", DATA], cwd=ROOT, check=True)
        if not os.path.isfile(file):
            raise RuntimeError(f"no model file {file}")
    if not os.path.isfile(os.path.join(ROOT, "dist", "src", "cli", "main.js")):
        raise RuntimeError("dist/ is not built: run bash scripts/setup.sh first")
    work = os.path.join(runs, "ensemble", "predictions")
    os.makedirs(work, exist_ok=True)
    predictions = {"train": [], "val": []}
    for file in files:
        model = os.path.basename(file)[: -len(".onnx")]
        for split in ("train", "val"):
            out, log = os.path.join(work, f"{model}-{split}.jsonl"), os.path.join(work, f"{model}-{split}.log")
            done = os.path.exists(log) and "accuracy" in open(log).read().lower()
            # a member's finished predictions are shared by every ensemble it belongs to
            if os.path.exists(out) and done:
                print(f"ensemble: {model} on {split} (predictions made before)")
            else:
                print(f"ensemble: {model} on {split}")
                with open(log, "w") as f:
                    result = subprocess.run(["node", "dist/src/cli/main.js", "eval", "--model", file, "--data",
                                             os.path.join(DATA, split), "--flip", "--predictions", out],
                                            cwd=ROOT, stdout=f, stderr=subprocess.STDOUT)
                if result.returncode != 0:
                    tail = " | ".join(open(log).read().strip().splitlines()[-3:])
                    raise RuntimeError(f"fer-edge eval of {file} on {split} failed: {tail}")
            print(next((line.rstrip() for line in open(log) if "accuracy" in line.lower()), ""))
            predictions[split].append(out)
    cmd = [sys.executable, "-m", "training.ensemble_logits", "--data", DATA,
           "--output", os.path.join(runs, name, "train-logits.pt")]
    cmd += [a for p in predictions["train"] for a in ("--train", p)]
    cmd += [a for p in predictions["val"] for a in ("--val", p)]
    subprocess.run(cmd, cwd=ROOT, check=True)


def prepare(name, runs, recipes=None, store=None):
    """Put the teacher logits a distilled recipe reads in place: the run would fail on its first step without them."""
    ref = resolve(recipes or load(), name).get("teacher-logits")
    if not ref or os.path.exists(_value(ref, runs)):
        return
    path = _value(ref, runs)
    run = os.path.basename(os.path.dirname(path))
    in_run = path == os.path.join(runs, run, "train-logits.pt")
    committed = os.path.join(store or TEACHER_STORE, f"{run}-train-logits.pt")
    if in_run and os.path.exists(committed):
        print(f"no {path} yet: copying the committed {committed}")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        shutil.copy(committed, path)
    elif in_run and run in ENSEMBLES:
        print(f"no {path} yet: making it from the {run} of {' '.join(ENSEMBLES[run])}")
        make_ensemble(run, ENSEMBLES[run], runs)
    else:
        raise RuntimeError(f"{path} is missing: train the teacher, then "
                           f"python -m training.cache_logits --teacher BEST.pt --output {path}")


def pids_of(name, runs):
    """The training processes writing to RUNS/NAME (started by `start`, or by hand with the same --output-dir)."""
    out_dir, pids = os.path.join(runs, name), []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                argv = f.read().decode(errors="replace").split("\0")
        except OSError:
            continue
        if "training.train" in argv and any(a == "--output-dir" and b == out_dir for a, b in zip(argv, argv[1:])):
            pids.append(int(pid))
    return pids


def start(name, runs, extra=(), niceness=19, recipes=None, store=None):
    argv = train_argv(name, runs, extra, recipes)
    pids = pids_of(name, runs)
    if pids:
        print(f"{name} is already running (pid {' '.join(map(str, pids))})")
        return
    prepare(name, runs, recipes, store)
    out_dir = os.path.join(runs, name)
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "train.out"), "a") as log:
        proc = subprocess.Popen([sys.executable, "-m", "training.train", *argv], cwd=ROOT, stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                preexec_fn=lambda: os.nice(niceness))
    try:
        with open(f"/proc/{proc.pid}/autogroup", "w") as f:
            f.write(str(niceness))
    except OSError:
        pass  # no autogroup scheduling in this kernel: nice alone ranks the run
    print(f"started {name} (pid {proc.pid}, nice {niceness}); log: {out_dir}/train.out")


def status(runs):
    for name in sorted(os.listdir(runs)) if os.path.isdir(runs) else []:
        if not os.path.exists(os.path.join(runs, name, "train.out")):
            continue  # data caches, teacher logits and foreground runs
        epochs = []
        if os.path.exists(os.path.join(runs, name, "log.jsonl")):
            epochs = [json.loads(line) for line in open(os.path.join(runs, name, "log.jsonl")) if '"epoch"' in line]
        pids = pids_of(name, runs)
        running = f"running pid {' '.join(map(str, pids))}" if pids else ""
        if epochs:
            r = epochs[-1]
            print(f"{name:<24} epoch {r['epoch']:3d}  val {100 * r['val_acc']:5.2f}%  "
                  f"best {100 * r['best_val_acc']:5.2f}% (epoch {r['best_epoch']})  {running}")
        else:
            print(f"{name:<24} no finished epoch yet {running}")


def stop(name, runs):
    pids = pids_of(name, runs)
    for pid in pids:
        os.kill(pid, signal.SIGTERM)
    print(f"stopped {name} ({' '.join(map(str, pids))})" if pids else f"{name} is not running")


def snapshot(name, runs, snapshots=SNAPSHOTS):
    """RUNS/NAME/last.pt -> SNAPSHOTS/NAME.pt: fp16 weights and the schedule position, no optimizer state."""
    import torch

    from training.train import fp16_weights

    last = os.path.join(runs, name, "last.pt")
    if not os.path.exists(last):
        raise ValueError(f"{last} does not exist: nothing to snapshot")
    ckpt = torch.load(last, map_location="cpu")
    keep = ("epoch", "step", "best_acc", "best_epoch", "train_seconds", "args")
    os.makedirs(snapshots, exist_ok=True)
    path = os.path.join(snapshots, f"{name}.pt")
    torch.save({"model": fp16_weights(ckpt["model"]), **{k: ckpt[k] for k in keep}}, path + ".tmp")
    if os.path.getsize(path + ".tmp") > SNAPSHOT_LIMIT:
        size = os.path.getsize(path + ".tmp")
        os.remove(path + ".tmp")
        raise ValueError(f"the snapshot of {name} would be {size / 1e6:.1f} MB, over {SNAPSHOT_LIMIT / 1e6:.0f} MB")
    os.replace(path + ".tmp", path)
    return path, ckpt["epoch"], ckpt["step"]


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    extra = []
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1:]
    p = argparse.ArgumentParser(description="fer-edge: named training recipes")
    p.add_argument("action", choices=["list", "args", "train", "start", "status", "stop", "prepare", "ensemble",
                                      "snapshot"])
    p.add_argument("names", nargs="*", metavar="NAME", help="the recipe (ensemble: its members)")
    p.add_argument("--runs", default=os.environ.get("FER_RUNS", DEFAULT_RUNS))
    p.add_argument("--threads", type=int, default=None, help="start, train: CPU threads (default: the recipe's)")
    p.add_argument("--nice", type=int, default=19, help="start: nice value of the run and of its session")
    a = p.parse_args(argv)
    runs = os.path.abspath(os.path.expanduser(a.runs))
    if a.threads is not None:
        extra = ["--threads", str(a.threads)] + extra
    recipes = load()
    name = a.names[0] if a.names else None
    if a.action in ("args", "train", "start", "stop", "prepare", "snapshot") and len(a.names) != 1:
        p.error(f"{a.action} needs one recipe name")
    try:
        if a.action == "list":
            print("\n".join(n for n in recipes if not n.startswith("_")))
        elif a.action == "args":
            print(" ".join(train_argv(name, runs, extra, recipes)))
        elif a.action == "train":
            argv = train_argv(name, runs, extra, recipes)
        elif a.action == "start":
            start(name, runs, extra, a.nice, recipes)
        elif a.action == "status":
            status(runs)
        elif a.action == "stop":
            stop(name, runs)
        elif a.action == "prepare":
            prepare(name, runs, recipes)
        elif a.action == "ensemble":
            logits = os.path.join(runs, "ensemble", "train-logits.pt")
            if os.path.exists(logits):
                # a *-kd-ens run resumed on other logits would change teachers in the middle of its schedule
                raise RuntimeError(f"{logits} exists (the *-kd-ens runs distil from it): move it away first")
            make_ensemble("ensemble", a.names or ENSEMBLES["ensemble"], runs)
        elif a.action == "snapshot":
            path, epoch, step = snapshot(name, runs)
            print(f"wrote {path} (epoch {epoch}, step {step}, {os.path.getsize(path) / 1e6:.1f} MB): commit it; "
                  f"'python -m training.recipes train {name}' continues from it where {runs}/{name} is gone")
    except KeyError as e:
        print(f"recipes: {e.args[0]}", file=sys.stderr)
        return 2
    except (ValueError, RuntimeError, OSError, subprocess.CalledProcessError) as e:
        print(f"recipes: {e}", file=sys.stderr)
        return 1
    if a.action == "train":
        from training import train

        train.main(train.get_args_parser().parse_args(argv))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Run a named recipe of ``training/recipes.yaml`` through ``training.train``.

    /usr/bin/python3 -m training.recipes list
    /usr/bin/python3 -m training.recipes args NAME [--runs DIR]
    /usr/bin/python3 -m training.recipes train NAME [--runs DIR] [-- more training flags]
    /usr/bin/python3 -m training.recipes snapshot NAME [--runs DIR]

A run writes to ``RUNS/NAME`` (default ``~/fer-edge-runs``) and resumes from its ``last.pt``; flags after ``--`` are
added last, so they win (``--device cuda --amp``, ``--data``, ``--epochs``).

A run that must outlive its machine: ``snapshot`` writes ``training/runs/NAME.pt`` (fp16 weights and the position in
the schedule, no optimizer state, a few MB) to commit; on a machine without ``RUNS/NAME/last.pt``, ``train NAME``
continues from it (the optimizer starts afresh). Delete the file when the run is done.
"""
import argparse
import os
import sys

import yaml

RECIPES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "recipes.yaml")
SNAPSHOTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "runs")
SNAPSHOT_LIMIT = 8_000_000
DEFAULT_RUNS = os.path.expanduser("~/fer-edge-runs")


def load(path=RECIPES):
    with open(path) as f:
        return yaml.safe_load(f)


def resolve(recipes, name, seen=()):
    """The recipe's flags with its ``inherit`` chain applied (later keys win)."""
    if name not in recipes:
        raise KeyError(f"unknown recipe {name!r}; recipes: {', '.join(recipes)}")
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
    flags = resolve(recipes or load(), name)
    argv = to_argv(flags, runs) + ["--output-dir", os.path.join(runs, name), "--resume"]
    snapshot = os.path.join(snapshots, f"{name}.pt")
    if os.path.exists(snapshot):
        argv += ["--resume-weights", snapshot]
    return argv + list(extra)


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
    p.add_argument("action", choices=["list", "args", "train", "snapshot"])
    p.add_argument("name", nargs="?")
    p.add_argument("--runs", default=os.environ.get("FER_RUNS", DEFAULT_RUNS))
    a = p.parse_args(argv)
    recipes = load()
    if a.action == "list":
        for name in recipes:
            print(name)
        return 0
    if not a.name:
        p.error(f"{a.action} needs a recipe name")
    try:
        if a.action == "snapshot":
            path, epoch, step = snapshot(a.name, a.runs)
            print(f"wrote {path} (epoch {epoch}, step {step}, {os.path.getsize(path) / 1e6:.1f} MB): commit it; "
                  f"'python -m training.recipes train {a.name}' continues from it where {a.runs}/{a.name} is gone")
            return 0
        args = train_argv(a.name, a.runs, extra, recipes)
    except (KeyError, ValueError) as e:
        print(f"recipes: {e.args[0]}", file=sys.stderr)
        return 2
    if a.action == "args":
        print(" ".join(args))
        return 0
    from training import train

    train.main(train.get_args_parser().parse_args(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())

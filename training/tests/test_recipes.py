import subprocess
import sys

import pytest

from training import recipes, train


def test_every_recipe_is_valid_training_flags():
    book = recipes.load()
    parser = train.get_args_parser()
    for name in book:
        argv = recipes.train_argv(name, "/runs", recipes=book)
        args = parser.parse_args(argv)
        assert args.output_dir == f"/runs/{name}" and args.resume and args.data == recipes.DATA
        assert not any(a.startswith("run:") for a in argv), argv  # every run reference expanded
        for path in [args.teacher_logits, args.init, *(args.teacher or [])]:
            assert path is None or path.startswith("/runs/"), (name, path)


def test_inheritance_and_run_references():
    book = {"base": {"model": "mnv3s", "epochs": 10, "teacher": ["run:t1", "run:t2"], "amp": True},
            "child": {"inherit": "base", "epochs": 20, "teacher": None, "teacher-logits": "run:ens/logits.pt",
                      "amp": False}}
    assert recipes.train_argv("base", "/r", recipes=book)[:10] == [
        "--data", recipes.DATA, "--model", "mnv3s", "--epochs", "10", "--teacher", "/r/t1/best.pt", "/r/t2/best.pt",
        "--amp"]
    child = recipes.train_argv("child", "/r", ["--epochs", "3"], recipes=book)
    assert child == ["--data", recipes.DATA, "--model", "mnv3s", "--epochs", "20", "--teacher-logits",
                     "/r/ens/logits.pt", "--output-dir", "/r/child", "--resume", "--epochs", "3"]
    assert recipes.train_argv("base", "/r", recipes={"base": {"data": "/d"}})[:2] == ["--data", "/d"]


def test_unknown_and_circular_recipes():
    result = subprocess.run([sys.executable, "-m", "training.recipes", "args", "no-such-recipe"], cwd=recipes.ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("recipes: unknown recipe 'no-such-recipe'; recipes: face-teacher-112, ")
    assert result.stderr.count("\n") == 1 and "_cpu" not in result.stderr
    with pytest.raises(ValueError):
        recipes.resolve({"a": {"inherit": "b"}, "b": {"inherit": "a"}}, "a")


def test_a_snapshot_resumes_the_run_on_a_fresh_machine(tiny_dataset, tmp_path):
    import json

    import torch

    book = {"tiny": {"model": "cnn4", "data": tiny_dataset, "cache-dir": "", "limit": 32, "batch-size": 16,
                     "epochs": 2, "aug": "none", "no-progress": True, "threads": 1}}
    snapshots = tmp_path / "snapshots"
    parser = train.get_args_parser()
    first = tmp_path / "machine1"
    train.main(parser.parse_args(recipes.train_argv("tiny", str(first), ["--epochs", "1"], book, str(snapshots))))
    path, epoch, step = recipes.snapshot("tiny", str(first), str(snapshots))
    saved = torch.load(path)
    assert (epoch, step) == (1, 0) and "optimizer" not in saved
    assert all(v.dtype == torch.float16 for v in saved["model"].values() if v.is_floating_point())

    second = tmp_path / "machine2"  # no last.pt here: the snapshot is the starting point
    argv = recipes.train_argv("tiny", str(second), recipes=book, snapshots=str(snapshots))
    assert argv[-2:] == ["--resume-weights", path]
    train.main(parser.parse_args(argv))
    log = [json.loads(line) for line in open(second / "tiny" / "log.jsonl")]
    assert [r["epoch"] for r in log] == [1]

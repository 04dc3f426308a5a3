"""The CPU plan's recipes (training/recipes.yaml) and the runner's start, status, stop, prepare and ensemble."""
import os
import time

import pytest

from training import recipes
from training.models import get_model
from training.train import get_args_parser

CPU_RECIPES = ["cnn4-48-demo", "mnv3s-64-light", "edgetpu-48-light", "teacher-48-light", "mnv3s-64-kd", "edgetpu-48-kd",
               "mnv3s-64-kd-ens", "mnv3s-64-kd-ens-teacher", "edgetpu-48-kd-ens", "edgetpu-48-kd-ens-60",
               "mnv3s-64-kd-ens-60", "resnet18-48-light"]


@pytest.mark.parametrize("name", CPU_RECIPES)
def test_cpu_recipe_flags_parse_and_build(name):
    args = get_args_parser().parse_args(recipes.train_argv(name, "/runs"))
    assert args.resume and args.ckpt_minutes == 10 and args.threads == 1 and args.aug == "light"
    assert args.early_stop == 0 and args.imbalance == "loss" and args.class_weight_power == 0.5
    kwargs = {"downsample": args.downsample, "width_mult": args.width_mult}
    if args.model == "teacher":
        kwargs = {"backbone": args.backbone, "input_size": args.input_size}
    model = get_model(args.model, **kwargs)
    assert sum(p.numel() for p in model.parameters()) > 0
    logits = {"-kd": "teacher-48-light", "-kd-ens": "ensemble", "-kd-ens-60": "ensemble",
              "-kd-ens-teacher": "ensemble-teacher"}
    suffix = name[name.index("-kd"):] if "-kd" in name else None
    assert args.teacher_logits == (f"/runs/{logits[suffix]}/train-logits.pt" if suffix else None)


def test_inherited_recipes_override_only_what_they_name():
    book = recipes.load()
    assert recipes.resolve(book, "edgetpu-48-kd-ens-60") == {**recipes.resolve(book, "edgetpu-48-kd-ens"), "epochs": 60}
    assert recipes.resolve(book, "mnv3s-64-kd-ens-60") == {**recipes.resolve(book, "mnv3s-64-kd-ens"), "epochs": 60}
    light, kd = recipes.resolve(book, "mnv3s-64-light"), recipes.resolve(book, "mnv3s-64-kd-ens")
    assert {k: v for k, v in kd.items() if not k.startswith(("teacher", "kd-"))} == light
    assert recipes.resolve(book, "teacher-48-light")["batch-size"] == 64
    assert recipes.resolve(book, "mnv3s-64-light")["batch-size"] == 128


def cli(monkeypatch, runs, *argv, store=None):
    """The runner's exit status, with its runs in ``runs`` and the committed teacher logits in ``store`` (default:
    none)."""
    monkeypatch.setattr(recipes, "TEACHER_STORE", str(store or runs / "no-committed-logits"))
    return recipes.main([*argv, "--runs", str(runs)])


def test_a_distilled_run_without_its_teacher_logits_does_not_start(tmp_path, monkeypatch, capsys):
    assert cli(monkeypatch, tmp_path, "start", "mnv3s-64-kd") == 1
    err = capsys.readouterr().err
    assert err.startswith(f"recipes: {tmp_path}/teacher-48-light/train-logits.pt is missing") and err.count("\n") == 1
    assert not (tmp_path / "mnv3s-64-kd").exists()


def test_committed_teacher_logits_stand_in_for_a_missing_run(tmp_path, monkeypatch):
    store = tmp_path / "store"
    store.mkdir()
    (store / "teacher-48-light-train-logits.pt").write_bytes(b"committed logits")
    assert cli(monkeypatch, tmp_path / "runs", "prepare", "mnv3s-64-kd", store=store) == 0
    assert (tmp_path / "runs" / "teacher-48-light" / "train-logits.pt").read_bytes() == b"committed logits"
    assert not (tmp_path / "runs" / "mnv3s-64-kd").exists()


def test_the_teachers_ensemble_needs_the_trained_teacher(tmp_path, monkeypatch, capsys):
    assert cli(monkeypatch, tmp_path, "prepare", "mnv3s-64-kd-ens-teacher") == 1
    assert f"no {tmp_path}/teacher-48-light/best.pt: train teacher-48-light first" in capsys.readouterr().err
    assert not (tmp_path / "ensemble-teacher").exists()


def test_an_ensemble_of_a_model_that_does_not_ship_is_refused(tmp_path, monkeypatch, capsys):
    assert cli(monkeypatch, tmp_path, "ensemble", "fer-no-such-model") == 1
    assert f"no model file {recipes.ROOT}/models/fer-no-such-model.onnx" in capsys.readouterr().err


def test_an_ensemble_member_given_as_a_missing_onnx_path_is_refused(tmp_path, monkeypatch, capsys):
    missing = tmp_path / "teacher" / "teacher.onnx"
    assert cli(monkeypatch, tmp_path, "ensemble", "fer-mnv3s", str(missing)) == 1
    assert f"no model file {missing}" in capsys.readouterr().err
    assert not (tmp_path / "ensemble").exists()


def test_existing_ensemble_logits_are_not_replaced(tmp_path, monkeypatch, capsys):
    (tmp_path / "ensemble").mkdir()
    (tmp_path / "ensemble" / "train-logits.pt").write_bytes(b"the teacher of runs in progress")
    assert cli(monkeypatch, tmp_path, "ensemble") == 1
    assert "move it away first" in capsys.readouterr().err


def test_start_status_stop(tiny_dataset, tmp_path, monkeypatch, capsys):
    book = {"tiny": {"model": "cnn4", "data": tiny_dataset, "cache-dir": "", "limit": 32, "batch-size": 16,
                     "epochs": 1000, "aug": "none", "no-progress": True, "threads": 1}}
    monkeypatch.setattr(recipes, "load", lambda path=None: book)
    assert cli(monkeypatch, tmp_path, "start", "tiny") == 0
    assert cli(monkeypatch, tmp_path, "start", "tiny") == 0  # a second start leaves the run alone
    pids = recipes.pids_of("tiny", str(tmp_path))
    out = capsys.readouterr().out
    assert len(pids) == 1 and f"started tiny (pid {pids[0]}, nice 19)" in out and "tiny is already running" in out
    assert os.getpriority(os.PRIO_PROCESS, pids[0]) == 19
    assert cli(monkeypatch, tmp_path, "status") == 0
    assert capsys.readouterr().out.startswith("tiny ")
    assert cli(monkeypatch, tmp_path, "stop", "tiny") == 0
    assert capsys.readouterr().out == f"stopped tiny ({pids[0]})\n"
    deadline = time.time() + 30
    while recipes.pids_of("tiny", str(tmp_path)) and time.time() < deadline:
        time.sleep(0.1)
    assert not recipes.pids_of("tiny", str(tmp_path))
    assert cli(monkeypatch, tmp_path, "stop", "tiny") == 0
    assert capsys.readouterr().out == "tiny is not running\n"
    assert (tmp_path / "tiny" / "train.out").exists()

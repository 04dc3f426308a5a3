"""scripts/train-cpu.sh: every named run of the CPU plan parses with train.py's own argument parser, and builds."""
import os
import shlex
import subprocess

import pytest

from training.models import get_model
from training.train import get_args_parser

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "scripts", "train-cpu.sh")
RUNS = ["cnn4-48-demo", "mnv3s-64-light", "edgetpu-48-light", "teacher-48-light", "mnv3s-64-kd", "edgetpu-48-kd", "mnv3s-64-kd-ens", "mnv3s-64-kd-ens-teacher", "edgetpu-48-kd-ens", "edgetpu-48-kd-ens-60", "mnv3s-64-kd-ens-60", "resnet18-48-light"]


def run_args(name):
    out = subprocess.run(["bash", SCRIPT, "args", name], check=True, capture_output=True, text=True).stdout
    return shlex.split(out)


@pytest.mark.parametrize("name", RUNS)
def test_run_flags_parse_and_build(name, tmp_path):
    args = get_args_parser().parse_args(run_args(name) + ["--output-dir", str(tmp_path), "--threads", "1"])
    assert args.resume and args.ckpt_minutes > 0
    model = get_model(args.model, downsample=args.downsample, width_mult=args.width_mult, input_size=None)
    assert sum(p.numel() for p in model.parameters()) > 0
    if name.endswith("-kd"):
        assert args.teacher_logits.endswith("teacher-48-light/train-logits.pt")
    if "-kd-ens" in name and not name.endswith("-teacher"):
        assert args.teacher_logits.endswith("ensemble/train-logits.pt")
    if name.endswith("-kd-ens-teacher"):
        assert args.teacher_logits.endswith("ensemble-teacher/train-logits.pt")


def test_unknown_run_is_refused():
    result = subprocess.run(["bash", SCRIPT, "args", "no-such-run"], capture_output=True, text=True)
    assert result.returncode == 2 and "unknown run 'no-such-run'" in result.stderr


def script(runs, *argv, store=None):
    """train-cpu.sh with its runs in ``runs`` and the committed teacher logits read from ``store`` (default: none)."""
    env = dict(os.environ, FER_RUNS=str(runs), FER_TEACHER_STORE=str(store or runs / "no-committed-logits"))
    return subprocess.run(["bash", SCRIPT, *argv], capture_output=True, text=True, env=env)


def test_a_distilled_run_without_its_teacher_logits_does_not_start(tmp_path):
    result = script(tmp_path, "start", "mnv3s-64-kd")
    assert result.returncode == 1
    assert f"{tmp_path}/teacher-48-light/train-logits.pt is missing" in result.stderr
    assert not (tmp_path / "mnv3s-64-kd").exists()


def test_an_ensemble_of_a_model_that_does_not_ship_is_refused(tmp_path):
    result = script(tmp_path, "ensemble", "fer-no-such-model")
    assert result.returncode == 2 and "no model file models/fer-no-such-model.onnx" in result.stderr


def test_an_ensemble_member_given_as_a_missing_onnx_path_is_refused(tmp_path):
    missing = tmp_path / "teacher" / "teacher.onnx"
    result = script(tmp_path, "ensemble", "fer-mnv3s", str(missing))
    assert result.returncode == 2 and f"no model file {missing}" in result.stderr
    assert not (tmp_path / "ensemble").exists()


def test_committed_teacher_logits_stand_in_for_a_missing_run(tmp_path):
    store = tmp_path / "store"
    store.mkdir()
    (store / "teacher-48-light-train-logits.pt").write_bytes(b"committed logits")
    result = script(tmp_path / "runs", "prepare", "mnv3s-64-kd", store=store)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "runs" / "teacher-48-light" / "train-logits.pt").read_bytes() == b"committed logits"
    assert not (tmp_path / "runs" / "mnv3s-64-kd").exists()


def test_the_teachers_ensemble_needs_the_trained_teacher(tmp_path):
    result = script(tmp_path, "prepare", "mnv3s-64-kd-ens-teacher")
    assert result.returncode == 1
    assert f"no {tmp_path}/teacher-48-light/best.pt: train teacher-48-light first" in result.stderr
    assert not (tmp_path / "ensemble-teacher").exists()

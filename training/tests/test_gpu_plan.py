"""scripts/train-gpu.sh end to end on the CPU (--smoke: 256 faces, one epoch a run): a teacher on the face-pretrained
backbone, then a student distilled online from it, and what the script brings home."""
import os
import subprocess
import sys
import tarfile

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_smoke_plan_trains_a_teacher_then_its_student(data_dir, tmp_path):
    out = tmp_path / "out"
    cmd = ["bash", "scripts/train-gpu.sh", "--smoke", "--data", data_dir, "--runs", str(tmp_path / "runs"),
           "--out", str(out), "--teachers", "face-teacher-112", "--students", "mnv3s-64-kd-face"]
    run = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600,
                         env={**os.environ, "PYTHON": sys.executable})
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert "face-teacher-112 done" in run.stdout and "mnv3s-64-kd-face done" in run.stdout

    teacher = torch.load(out / "face-teacher-112.pt")
    assert teacher["args"]["backbone"] == "face-resnet" and "optimizer" not in teacher
    assert all(v.dtype == torch.float16 for v in teacher["model"].values() if v.is_floating_point())
    with tarfile.open(out / "students-1.tar") as tar:
        assert tar.getnames() == ["mnv3s-64-kd-face.pt"]
    student_args = torch.load(tmp_path / "runs" / "mnv3s-64-kd-face" / "last.pt")["args"]
    assert student_args["teacher"] == [str(tmp_path / "runs" / "face-teacher-112" / "best.pt")]
    summary = (out / "summary.txt").read_text()
    assert "face-teacher-112: best val" in summary and "mnv3s-64-kd-face: best val" in summary

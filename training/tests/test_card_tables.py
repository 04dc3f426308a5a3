"""training.card_tables --kd: the with/without-distillation tables quote the two runs' own files."""
import json

import pytest

from training import card_tables


def write_run(models, name, accuracy, val_by_epoch):
    per_class = {label: {"precision": 0.5, "recall": 0.5, "f1": accuracy - 0.1, "support": 10} for label in card_tables.LABELS}
    part = {"accuracy": accuracy, "balanced_accuracy": accuracy - 0.02, "macro_f1": accuracy - 0.03, "cohen_kappa": accuracy - 0.05,
            "log_loss": 1.0, "ece": 0.04, "ece_after_temperature": 0.03, "per_class": per_class}
    (models / "report" / f"{name}-metrics.json").write_text(json.dumps({"plain": part, "flip_tta": dict(part, accuracy=accuracy + 0.01)}))
    (models / "report" / f"{name}-log.jsonl").write_text(
        "".join(json.dumps({"epoch": e, "val_acc": v}) + "\n" for e, v in enumerate(val_by_epoch)))
    return str(models / f"{name}.onnx")


def test_kd_tables_compare_metrics_classes_and_epochs(tmp_path, capsys):
    (tmp_path / "report").mkdir()
    base = write_run(tmp_path, "student", 0.60, [0.30 + 0.03 * e for e in range(10)])
    kd = write_run(tmp_path, "student-kd", 0.62, [0.35 + 0.03 * e for e in range(10)])
    card_tables.main(["--kd", f"{base}:{kd}"])
    out = capsys.readouterr().out
    assert "| accuracy | 0.6000 | 0.6200 | +0.0200 |" in out
    assert "| accuracy, flip TTA | 0.6100 | 0.6300 | +0.0200 |" in out
    assert "| disgust | 0.500 | 0.520 | +0.020 |" in out
    # epochs 1, 5 and 10 (the last), numbered from 1, with the change in points
    assert "| 1 | 30.00% | 35.00% | +5.00 |" in out and "| 5 | 42.00% | 47.00% | +5.00 |" in out
    assert "| 10 | 57.00% | 62.00% | +5.00 |" in out


def test_an_unshipped_model_is_tabled_from_its_metrics_and_model_section(tmp_path, capsys):
    (tmp_path / "report").mkdir()
    write_run(tmp_path, "teacher", 0.64, [0.4, 0.64])
    path = tmp_path / "report" / "teacher-metrics.json"
    metrics = json.loads(path.read_text())
    metrics["plain"].update(log_loss_after_temperature=0.95, confusion_matrix=[[1] * 7] * 7)
    metrics.update(temperature=1.2, temperature_tta=1.1,
                   model={"model": "teacher", "input_size": 48, "parameters": 25155407, "epoch": 11, "epochs": 12,
                          "train_seconds": 6600.0})
    path.write_text(json.dumps(metrics))
    card_tables.main(["--unshipped", "teacher", "--models-dir", str(tmp_path)])
    out = capsys.readouterr().out
    assert "| teacher (not shipped) | teacher | 48 px | 25,155,407 | 64.00% | 65.00% | 1.200 | epoch 12 of 12, 110 min |" in out
    assert "| accuracy | 0.6400 | 0.6500 |" in out and "| fitted temperature | 1.200 | 1.100 |" in out


def test_an_unshipped_model_without_a_model_section_is_refused(tmp_path, capsys):
    (tmp_path / "report").mkdir()
    write_run(tmp_path, "old", 0.6, [0.6])
    with pytest.raises(SystemExit) as exit:
        card_tables.main(["--unshipped", "old", "--models-dir", str(tmp_path)])
    assert exit.value.code == 2
    assert "has no 'model' section" in capsys.readouterr().err


def test_kd_tables_set_several_teachers_students_beside_the_base(tmp_path, capsys):
    (tmp_path / "report").mkdir()
    base = write_run(tmp_path, "student", 0.60, [0.30 + 0.03 * e for e in range(10)])
    by_ensemble = write_run(tmp_path, "student-kd", 0.62, [0.35 + 0.03 * e for e in range(10)])
    by_teacher = write_run(tmp_path, "student-kd-teacher", 0.59, [0.33 + 0.03 * e for e in range(10)])
    card_tables.main(["--kd", f"{base}:{by_ensemble}:{by_teacher}"])
    out = capsys.readouterr().out
    assert ("| metric on val | `student` (no KD) | `student-kd` (KD) | `student-kd-teacher` (KD) | "
            "change, `student-kd` | change, `student-kd-teacher` |") in out
    assert "| accuracy | 0.6000 | 0.6200 | 0.5900 | +0.0200 | -0.0100 |" in out
    assert "| disgust | 0.500 | 0.520 | 0.490 | +0.020 | -0.010 |" in out
    assert "| 10 | 57.00% | 62.00% | 60.00% | +5.00 | +3.00 |" in out


def test_a_kd_pair_without_a_distilled_run_is_refused(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit:
        card_tables.main(["--kd", "models/fer-mnv3s.onnx:"])
    assert exit.value.code == 2
    assert "expected BASE:DISTILLED" in capsys.readouterr().err

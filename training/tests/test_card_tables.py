"""training.card_tables --kd: the with/without-distillation tables quote the two runs' own files."""
import json

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

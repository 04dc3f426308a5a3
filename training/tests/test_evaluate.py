"""training.evaluate on a checkpoint: the metrics JSON and confusion PNG, with the model section the card quotes for
a model that is not exported (the teacher)."""
import json

from training import card_tables, evaluate, train


def test_evaluate_writes_metrics_with_the_model_section(tiny_dataset, tmp_path, capsys):
    train.main(train.get_args_parser().parse_args(
        ["--data", tiny_dataset, "--cache-dir", "", "--model", "cnn4", "--limit", "32",
         "--output-dir", str(tmp_path / "run"), "--epochs", "1", "--batch-size", "16", "--no-progress"]))
    evaluate.main(["--checkpoint", str(tmp_path / "run" / "last.pt"), "--data", tiny_dataset, "--cache-dir", "",
                   "--out-dir", str(tmp_path / "models" / "report"), "--name", "tiny", "--threads", "2"])
    metrics = json.loads((tmp_path / "models" / "report" / "tiny-metrics.json").read_text())
    assert (tmp_path / "models" / "report" / "tiny-confusion.png").exists()
    model = metrics["model"]
    assert model["model"] == "cnn4" and model["input_size"] == 48 and model["epochs"] == 1
    assert 0.55e6 < model["parameters"] < 0.62e6 and model["epoch"] == 1 and model["train_seconds"] > 0
    assert sum(map(sum, metrics["plain"]["confusion_matrix"])) == 56
    capsys.readouterr()
    card_tables.main(["--unshipped", "tiny", "--models-dir", str(tmp_path / "models")])
    assert f"| tiny (not shipped) | cnn4 | 48 px | {model['parameters']:,} |" in capsys.readouterr().out

import numpy as np
import pytest
import torch

from training import metrics

sk = pytest.importorskip("sklearn.metrics")


@pytest.fixture
def predictions():
    g = torch.Generator().manual_seed(0)
    y = torch.randint(0, 7, (500,), generator=g)
    logits = torch.randn(500, 7, generator=g) + 2.0 * torch.nn.functional.one_hot(y, 7)
    return logits, y


def test_metrics_agree_with_sklearn(predictions):
    logits, y = predictions
    pred = logits.argmax(1).numpy()
    m = metrics.all_metrics(logits, y)
    yn = y.numpy()
    assert m["accuracy"] == pytest.approx(sk.accuracy_score(yn, pred))
    assert m["balanced_accuracy"] == pytest.approx(sk.balanced_accuracy_score(yn, pred))
    assert m["macro_f1"] == pytest.approx(sk.f1_score(yn, pred, average="macro"))
    assert m["cohen_kappa"] == pytest.approx(sk.cohen_kappa_score(yn, pred))
    probs = torch.softmax(logits.double(), 1).numpy()
    assert m["log_loss"] == pytest.approx(sk.log_loss(yn, probs, labels=list(range(7))), rel=1e-6)
    assert np.array_equal(np.array(m["confusion_matrix"]), sk.confusion_matrix(yn, pred, labels=list(range(7))))
    p, r, f, s = sk.precision_recall_fscore_support(yn, pred, labels=list(range(7)), zero_division=0)
    for i, name in enumerate(metrics.LABELS):
        assert m["per_class"][name]["precision"] == pytest.approx(p[i])
        assert m["per_class"][name]["recall"] == pytest.approx(r[i])
        assert m["per_class"][name]["f1"] == pytest.approx(f[i])
        assert m["per_class"][name]["support"] == s[i]


def test_ece_of_a_calibrated_and_an_overconfident_model():
    # every prediction at confidence 0.8 and right 80% of the time: ECE 0
    probs = torch.full((10, 2), 0.2)
    probs[:, 0] = 0.8
    y = torch.tensor([0] * 8 + [1] * 2)
    assert metrics.expected_calibration_error(probs, y) == pytest.approx(0.0, abs=1e-6)
    y_wrong = torch.tensor([0] * 5 + [1] * 5)
    assert metrics.expected_calibration_error(probs, y_wrong) == pytest.approx(0.3)


def test_temperature_scaling_recovers_a_known_temperature():
    g = torch.Generator().manual_seed(0)
    true_logits = torch.randn(4000, 7, generator=g) * 2
    y = torch.multinomial(torch.softmax(true_logits, 1), 1, generator=g).squeeze(1)
    t = metrics.fit_temperature(true_logits * 2.5, y)  # over-confident by a factor 2.5
    assert t == pytest.approx(2.5, rel=0.1)


def test_confusion_png(tmp_path, predictions):
    logits, y = predictions
    cm = metrics.all_metrics(logits, y)["confusion_matrix"]
    metrics.plot_confusion_matrix(cm, tmp_path / "cm.png")
    assert (tmp_path / "cm.png").stat().st_size > 1000


def test_curves_from_a_log(tmp_path):
    import json

    from training import curves

    log = tmp_path / "log.jsonl"
    rows = [{"epoch": e, "train_loss": 2 - e * 0.1, "val_loss": 1.9 - e * 0.1, "train_acc": 0.2 + e * 0.05,
             "val_acc": 0.25 + e * 0.05} for e in (0, 1, 1, 2)]  # epoch 1 logged twice (resumed)
    log.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    assert [r["epoch"] for r in curves.read_log(str(log))] == [0, 1, 2]
    curves.main([str(log), "--output", str(tmp_path / "c.png")])
    assert (tmp_path / "c.png").stat().st_size > 1000


def test_val_comparison_of_two_logs(tmp_path, capsys):
    import json

    from training import curves

    for name, offset in (("a", 0.0), ("b", 0.03)):
        rows = [{"epoch": e, "train_loss": 1.0, "val_loss": 1.0, "train_acc": 0.5, "val_acc": 0.4 + offset + e * 0.01}
                for e in range(5)]
        (tmp_path / f"{name}.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    curves.main([str(tmp_path / "a.jsonl"), "--label", "no KD", "--compare", f"{tmp_path / 'b.jsonl'}=KD",
                 "--output", str(tmp_path / "cmp.png")])
    out = capsys.readouterr().out
    assert "no KD: 5 epochs; best val accuracy 0.4400 at epoch 4" in out
    assert "KD: 5 epochs; best val accuracy 0.4700 at epoch 4" in out
    assert (tmp_path / "cmp.png").stat().st_size > 1000

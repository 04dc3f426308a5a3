"""Classification metrics on logits/labels tensors, written out plainly (tests check them against scikit-learn).

accuracy, balanced accuracy, macro F1, Cohen's kappa, log loss, per-class precision/recall/F1, the confusion matrix,
expected calibration error (15 equal-width confidence bins) and temperature scaling fitted on val.
"""
import torch
import torch.nn.functional as F

from training.data import LABELS


def confusion_matrix(pred, target, num_classes=len(LABELS)):
    """rows: true class, columns: predicted class."""
    idx = target.long() * num_classes + pred.long()
    return torch.bincount(idx, minlength=num_classes * num_classes).view(num_classes, num_classes)


def per_class(cm):
    cm = cm.double()
    tp = cm.diag()
    predicted, actual = cm.sum(0), cm.sum(1)
    precision = torch.where(predicted > 0, tp / predicted.clamp(min=1), torch.zeros_like(tp))
    recall = torch.where(actual > 0, tp / actual.clamp(min=1), torch.zeros_like(tp))
    denom = precision + recall
    f1 = torch.where(denom > 0, 2 * precision * recall / denom.clamp(min=1e-12), torch.zeros_like(tp))
    return precision, recall, f1


def balanced_accuracy(cm):
    _, recall, _ = per_class(cm)
    present = cm.sum(1) > 0
    return recall[present].mean().item()


def cohen_kappa(cm):
    cm = cm.double()
    n = cm.sum()
    observed = cm.diag().sum() / n
    expected = (cm.sum(0) * cm.sum(1)).sum() / (n * n)
    return ((observed - expected) / (1 - expected)).item()


def log_loss(logits, target):
    return F.cross_entropy(logits.double(), target.long()).item()


def expected_calibration_error(probs, target, bins=15):
    conf, pred = probs.max(1)
    correct = (pred == target).double()
    edges = torch.linspace(0, 1, bins + 1, dtype=probs.dtype)
    ece = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        in_bin = (conf > lo) & (conf <= hi)
        if in_bin.any():
            ece += in_bin.double().mean().item() * abs(conf[in_bin].double().mean().item() - correct[in_bin].mean().item())
    return ece


def fit_temperature(logits, target, steps=200):
    """The T > 0 minimising the NLL of softmax(logits / T) (LBFGS on log T)."""
    logits, target = logits.detach().double(), target.long()
    log_t = torch.zeros(1, dtype=torch.double, requires_grad=True)
    opt = torch.optim.LBFGS([log_t], lr=0.1, max_iter=steps, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = F.cross_entropy(logits / log_t.exp(), target)
        loss.backward()
        return loss

    opt.step(closure)
    return float(log_t.exp().item())


def all_metrics(logits, target):
    logits, target = logits.float(), target.long()
    pred = logits.argmax(1)
    cm = confusion_matrix(pred, target)
    precision, recall, f1 = per_class(cm)
    probs = torch.softmax(logits, 1)
    return {
        "accuracy": (pred == target).double().mean().item(),
        "balanced_accuracy": balanced_accuracy(cm),
        "macro_f1": f1.mean().item(),
        "cohen_kappa": cohen_kappa(cm),
        "log_loss": log_loss(logits, target),
        "ece": expected_calibration_error(probs, target),
        "per_class": {name: {"precision": p, "recall": r, "f1": f, "support": int(s)} for name, p, r, f, s in
                      zip(LABELS, precision.tolist(), recall.tolist(), f1.tolist(), cm.sum(1).tolist())},
        "confusion_matrix": cm.tolist(),
        "n": len(target),
    }


def plot_confusion_matrix(cm, path, title="confusion matrix"):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cm = torch.tensor(cm, dtype=torch.float64)
    norm = cm / cm.sum(1, keepdim=True).clamp(min=1)
    fig, ax = plt.subplots(figsize=(6.4, 5.6))
    im = ax.imshow(norm, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(LABELS)), LABELS, rotation=45, ha="right")
    ax.set_yticks(range(len(LABELS)), LABELS)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title, fontsize=10)
    for i in range(len(LABELS)):
        for j in range(len(LABELS)):
            ax.text(j, i, f"{norm[i, j]:.2f}\n{int(cm[i, j])}", ha="center", va="center", fontsize=7,
                    color="white" if norm[i, j] > 0.5 else "black")
    fig.colorbar(im, ax=ax, fraction=0.046)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_curves(records, path, title="training curves"):
    """Loss and accuracy per epoch from log.jsonl records."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    epochs = [r["epoch"] for r in records]
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
    a.plot(epochs, [r["train_loss"] for r in records], label="train (augmented, smoothed)")
    a.plot(epochs, [r["val_loss"] for r in records], label="val")
    a.set_xlabel("epoch")
    a.set_ylabel("loss")
    a.legend()
    b.plot(epochs, [r["train_acc"] for r in records], label="train (augmented)")
    b.plot(epochs, [r["val_acc"] for r in records], label="val (PublicTest)")
    b.set_xlabel("epoch")
    b.set_ylabel("accuracy")
    b.legend()
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_val_comparison(runs, path, title="val accuracy per epoch"):
    """Val accuracy per epoch of several runs on one axis; ``runs`` is [(label, records)]."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 4))
    for label, records in runs:
        ax.plot([r["epoch"] for r in records], [r["val_acc"] for r in records], marker=".", label=label)
    ax.set_xlabel("epoch")
    ax.set_ylabel("val (PublicTest) accuracy")
    ax.grid(alpha=0.3)
    ax.legend()
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)

"""Losses: class-weighted cross-entropy with label smoothing, and knowledge distillation.

KD loss (Hinton et al.): ``alpha * T^2 * KL(softmax(teacher/T) || softmax(student/T)) + (1 - alpha) * CE(student, y)``.
"""
import torch
import torch.nn.functional as F


def inverse_frequency_weights(labels, num_classes=7, power=1.0):
    """w_c = (N / (K * n_c)) ** power, renormalized to mean 1 (power 1 is plain inverse frequency)."""
    counts = torch.bincount(labels, minlength=num_classes).float().clamp(min=1)
    w = (counts.sum() / (num_classes * counts)) ** power
    return w * (num_classes / w.sum())


def kd_kl(student_logits, teacher_logits, temperature):
    """T^2 * KL(softmax(teacher/T) || softmax(student/T)), averaged over the batch."""
    t = temperature
    log_p_s = F.log_softmax(student_logits / t, dim=1)
    log_p_t = F.log_softmax(teacher_logits / t, dim=1)
    return F.kl_div(log_p_s, log_p_t, reduction="batchmean", log_target=True) * (t * t)


class DistillationLoss(torch.nn.Module):
    def __init__(self, alpha=0.5, temperature=4.0, weight=None, label_smoothing=0.0):
        super().__init__()
        self.alpha = alpha
        self.temperature = temperature
        self.ce = torch.nn.CrossEntropyLoss(weight=weight, label_smoothing=label_smoothing)

    def forward(self, student_logits, targets, teacher_logits):
        kd = kd_kl(student_logits, teacher_logits, self.temperature)
        if self.alpha >= 1.0:
            return kd
        return self.alpha * kd + (1.0 - self.alpha) * self.ce(student_logits, targets)

import torch
import torch.nn.functional as F

from training.losses import DistillationLoss, inverse_frequency_weights, kd_kl


def test_kd_is_zero_when_student_equals_teacher_at_alpha_1():
    logits = torch.randn(16, 7)
    y = torch.randint(0, 7, (16,))
    loss = DistillationLoss(alpha=1.0, temperature=4.0)(logits, y, logits.clone())
    assert abs(loss.item()) < 1e-6


def test_kd_gradient_points_from_student_to_teacher():
    torch.manual_seed(0)
    t = 3.0
    student = torch.randn(8, 7, requires_grad=True)
    teacher = torch.randn(8, 7)
    kd_kl(student, teacher, t).backward()
    # d/dz [T^2 KL(p_t || p_s)] = T * (p_s - p_t) / batch
    expected = t * (F.softmax(student.detach() / t, 1) - F.softmax(teacher / t, 1)) / 8
    assert torch.allclose(student.grad, expected, atol=1e-6)
    with torch.no_grad():  # a small step against the gradient lowers the divergence
        before = kd_kl(student, teacher, t)
        after = kd_kl(student - 0.5 * student.grad, teacher, t)
    assert after < before


def test_kd_mixes_with_cross_entropy():
    student, teacher = torch.randn(8, 7), torch.randn(8, 7)
    y = torch.randint(0, 7, (8,))
    alpha, t = 0.3, 2.0
    loss = DistillationLoss(alpha, t)(student, y, teacher)
    expected = alpha * kd_kl(student, teacher, t) + (1 - alpha) * F.cross_entropy(student, y)
    assert torch.allclose(loss, expected)
    assert torch.allclose(DistillationLoss(0.0, t)(student, y, teacher), F.cross_entropy(student, y))


def test_inverse_frequency_weights():
    labels = torch.tensor([0] * 60 + [1] * 30 + [2] * 10)
    w = inverse_frequency_weights(labels, num_classes=3)
    assert torch.allclose(w.mean(), torch.tensor(1.0))
    assert torch.allclose(w / w[0], torch.tensor([1.0, 2.0, 6.0]))
    soft = inverse_frequency_weights(labels, num_classes=3, power=0.5)
    assert soft[2] / soft[0] < w[2] / w[0]

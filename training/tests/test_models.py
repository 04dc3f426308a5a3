import pytest
import torch

from training.models import MODELS, get_model

# (name, kwargs, input size): each model at the sizes we recommend and an edge of its range
CASES = [
    ("cnn4", {}, 48),
    ("mnv3s", {"downsample": 16}, 64),
    ("mnv3s", {"downsample": 8}, 48),
    ("mnv3s", {"downsample": 32}, 96),
    ("mnv3s-edgetpu", {"downsample": 16}, 64),
    ("resnet18", {}, 48),
    ("teacher", {"input_size": 48, "backbone": "resnet50"}, 48),
    ("teacher", {"input_size": 112, "init_weights": False}, 112),
    ("teacher", {"input_size": 150, "init_weights": False, "tokens": "stage3"}, 150),
]


@pytest.mark.parametrize("name,kwargs,size", CASES)
def test_forward_backward(name, kwargs, size):
    torch.manual_seed(0)
    model = get_model(name, **kwargs)
    x = torch.randn(2, 1, size, size, requires_grad=True)
    out = model(x)
    assert out.shape == (2, 7)
    out.logsumexp(1).sum().backward()
    assert x.grad is not None and torch.isfinite(x.grad).all()
    missing = [n for n, p in model.named_parameters() if p.grad is None]
    assert not missing, f"parameters without gradient: {missing[:5]}"


def test_teacher_accepts_other_input_sizes():
    model = get_model("teacher", input_size=48, backbone="resnet50").eval()  # position embeddings are interpolated
    with torch.no_grad():
        assert model(torch.randn(1, 1, 64, 64)).shape == (1, 7)


def test_registry_and_sizes():
    assert set(MODELS) == {"teacher", "cnn4", "resnet18", "mnv3s", "mnv3s-edgetpu"}
    count = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
    assert 0.55e6 < count(get_model("cnn4")) < 0.62e6
    assert count(get_model("mnv3s")) < 2e6


def test_edgetpu_variant_has_no_hardswish_or_se():
    from training.models.mobilenetv3 import SqueezeExcite

    model = get_model("mnv3s-edgetpu")
    kinds = {type(m).__name__ for m in model.modules()}
    assert "Hardswish" not in kinds and not any(isinstance(m, SqueezeExcite) for m in model.modules())
    assert "Hardswish" in {type(m).__name__ for m in get_model("mnv3s").modules()}


def test_teacher_stage_groups_cover_all_parameters():
    from training.schedule import param_groups

    model = get_model("teacher", input_size=48, backbone="resnet50")
    names = [n for n, _ in model.stage_groups()]
    assert names == ["head", "layer4", "layer3", "layer2", "layer1", "stem"]
    groups = param_groups(model, 0.05, progressive=True)
    assert sum(len(g["params"]) for g in groups) == len(list(model.parameters()))
    face = get_model("teacher", input_size=112, init_weights=False)
    assert [n for n, _ in face.stage_groups()] == ["head", "out", "stage4", "stage3", "stage2", "stage1", "stem"]
    groups = param_groups(face, 0.05, progressive=True)
    assert sum(len(g["params"]) for g in groups) == len(list(face.parameters()))


def test_pretrained_weights_load_from_a_local_file(tmp_path):
    from torchvision.models import resnet18, resnet50

    for name, tv in (("resnet18", resnet18), ("teacher", resnet50)):
        torch.manual_seed(0)
        path = tmp_path / f"{name}.pth"
        reference = tv(weights=None)
        torch.save(reference.state_dict(), path)
        model = get_model(name, pretrained=str(path), input_size=48, **({"backbone": "resnet50"} if name == "teacher" else {}))
        net = model.backbone if name == "teacher" else model
        assert torch.equal(net.layer4[0].conv1.weight, reference.layer4[0].conv1.weight)
        assert model(torch.randn(2, 1, 48, 48)).shape == (2, 7)

import time

import torch

from training.data import MEAN, STD
from training.presets import ClassificationPresetEval, ClassificationPresetTrain, random_erasing


def _floats(val_sample):
    return val_sample[0][:64].float() / 255.0


def test_train_preset_shapes_and_range(val_sample):
    x = _floats(val_sample)
    for size in (48, 64, 96):
        out = ClassificationPresetTrain(size, erase=0.5)(x, generator=torch.Generator().manual_seed(0))
        assert out.shape == (64, 1, size, size)
        assert out.dtype == torch.float32
        assert out.min() >= (0 - MEAN) / STD - 1e-6 and out.max() <= (1 - MEAN) / STD + 1e-6
        assert torch.isfinite(out).all()


def test_train_preset_is_deterministic_given_a_generator(val_sample):
    x = _floats(val_sample)
    aug = ClassificationPresetTrain(48)
    a = aug(x, generator=torch.Generator().manual_seed(1))
    b = aug(x, generator=torch.Generator().manual_seed(1))
    c = aug(x, generator=torch.Generator().manual_seed(2))
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_identity_parameters_leave_the_image_alone(val_sample):
    x = _floats(val_sample)
    aug = ClassificationPresetTrain(48, rotation=0, shift=0, shear=0, zoom=0, brightness=(1, 1), hflip=0)
    assert torch.allclose(aug(x), (x - MEAN) / STD, atol=1e-5)
    flip = ClassificationPresetTrain(48, rotation=0, shift=0, shear=0, zoom=0, brightness=(1, 1), hflip=1.0)
    assert torch.allclose(flip(x), (x.flip(3) - MEAN) / STD, atol=1e-5)


def test_constant_fill_outside_the_image():
    x = torch.ones(8, 1, 48, 48)
    aug = ClassificationPresetTrain(48, rotation=0, shift=0, shear=0, zoom=0.0, brightness=(1, 1), hflip=0, fill=0.0)
    aug.zoom = 0.0
    big = ClassificationPresetTrain(48, rotation=0, shift=0, shear=0, zoom=0.0, brightness=(1, 1), hflip=0)
    big.affine = lambda n, device, generator=None: torch.tensor([[[2.0, 0, 0], [0, 2.0, 0]]]).repeat(n, 1, 1)
    out = big(x) * STD + MEAN  # sampling a 2x wider area: the border is the fill value
    assert torch.allclose(out[:, :, 0, 0], torch.zeros(8, 1))
    assert torch.allclose(out[:, :, 24, 24], torch.ones(8, 1))
    assert torch.allclose(aug(x) * STD + MEAN, x)


def test_random_erasing_changes_only_some_pixels():
    x = torch.zeros(16, 1, 48, 48)
    out = random_erasing(x, 1.0, generator=torch.Generator().manual_seed(0))
    changed = (out != 0).float().mean((1, 2, 3))
    assert (changed > 0).all() and (changed < 0.5).all()
    assert torch.equal(random_erasing(x, 0.0), x)


def test_eval_preset_resizes():
    x = torch.rand(4, 1, 48, 48)
    assert ClassificationPresetEval(64)(x).shape == (4, 1, 64, 64)
    assert torch.allclose(ClassificationPresetEval(48)(x), (x - MEAN) / STD)


def test_augmentation_is_cheap():
    """A batch of 256 at 64 px must take far less than a training step (measured: a few ms per batch)."""
    x = torch.rand(256, 1, 48, 48)
    aug = ClassificationPresetTrain(64, erase=0.5)
    aug(x)
    t = time.process_time()
    for _ in range(5):
        aug(x)
    assert (time.process_time() - t) / 5 < 0.5

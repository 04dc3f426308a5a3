"""Augmentation presets, applied batched on tensors (one affine_grid + grid_sample per batch, on the training device).

``ClassificationPresetTrain`` is the reports' recipe: rotation +-35 deg, shift 0.25, brightness 0.5-1.5, shear 0.4,
zoom 0.4, horizontal flip, constant fill, optional random erasing. Input: float images in [0, 1], [B, C, H, W];
output: the same shape resized to ``size`` and normalized with ``(x - mean) / std``.
"""
import math

import torch
import torch.nn.functional as F

from training.data import MEAN, STD


class ClassificationPresetTrain:
    def __init__(self, size, rotation=35.0, shift=0.25, shear=0.4, zoom=0.4, brightness=(0.5, 1.5), hflip=0.5,
                 erase=0.0, fill=0.0, mean=MEAN, std=STD):
        self.size = size
        self.rotation = rotation
        self.shift = shift
        self.shear = shear
        self.zoom = zoom
        self.brightness = brightness
        self.hflip = hflip
        self.erase = erase
        self.fill = fill
        self.mean = mean
        self.std = std

    def affine(self, n, device, generator=None):
        """Random inverse affine matrices [n, 2, 3] in normalized coordinates (what affine_grid expects)."""
        def uniform(low, high):
            return torch.rand(n, device=device, generator=generator) * (high - low) + low

        angle = uniform(-self.rotation, self.rotation) * math.pi / 180.0
        shear = uniform(-self.shear, self.shear)  # Keras-style shear intensity (radians)
        zoom = uniform(1.0 - self.zoom, 1.0 + self.zoom)  # >1 samples a wider area: the face shrinks
        tx = uniform(-self.shift, self.shift) * 2.0  # shift as a fraction of width; normalized coords span 2
        ty = uniform(-self.shift, self.shift) * 2.0
        flip = torch.where(torch.rand(n, device=device, generator=generator) < self.hflip, -1.0, 1.0)
        cos, sin = torch.cos(angle), torch.sin(angle)
        # output -> input sampling: rotate, shear (x += shear * y), zoom, flip, then shift
        a = torch.stack([cos, -sin, sin, cos], dim=1).view(n, 2, 2)
        s = torch.zeros(n, 2, 2, device=device)
        s[:, 0, 0] = 1.0
        s[:, 0, 1] = torch.tan(shear)
        s[:, 1, 1] = 1.0
        m = a @ s * zoom.view(n, 1, 1)
        m[:, :, 0] = m[:, :, 0] * flip.view(n, 1)
        theta = torch.cat([m, torch.stack([tx, ty], dim=1).view(n, 2, 1)], dim=2)
        return theta

    def __call__(self, x, generator=None):
        n, c = x.shape[:2]
        theta = self.affine(n, x.device, generator)
        grid = F.affine_grid(theta, (n, c, self.size, self.size), align_corners=False)
        # constant fill: sample (x - fill) with zero padding, add fill back
        out = F.grid_sample(x - self.fill, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
        out = out + self.fill
        low, high = self.brightness
        out = out * (torch.rand(n, 1, 1, 1, device=x.device, generator=generator) * (high - low) + low)
        out = out.clamp_(0.0, 1.0)
        if self.erase > 0:
            out = random_erasing(out, self.erase, generator=generator)
        return (out - self.mean) / self.std


def train_preset(name, size, erase=0.0):
    """The named augmentation preset: ``reports`` (the reports' recipe), ``medium``, ``light`` or ``none``."""
    if name == "reports":
        return ClassificationPresetTrain(size, erase=erase)
    if name == "medium":
        return ClassificationPresetTrain(size, rotation=15, shift=0.1, shear=0.1, zoom=0.15, brightness=(0.7, 1.3),
                                         erase=erase)
    if name == "light":
        return ClassificationPresetTrain(size, rotation=10, shift=0.1, shear=0.0, zoom=0.1, brightness=(0.8, 1.2),
                                         erase=erase)
    if name == "none":
        return ClassificationPresetTrain(size, rotation=0, shift=0, shear=0, zoom=0, brightness=(1, 1), hflip=0)
    raise ValueError(f"unknown augmentation preset {name!r} (reports, medium, light, none)")


def random_erasing(x, p, scale=(0.02, 0.2), ratio=(0.3, 3.3), generator=None):
    """Batched random erasing: with probability p per image, fill one random rectangle with uniform noise."""
    n, c, h, w = x.shape
    dev = x.device
    area = torch.rand(n, device=dev, generator=generator) * (scale[1] - scale[0]) + scale[0]
    log_r = torch.rand(n, device=dev, generator=generator) * (math.log(ratio[1]) - math.log(ratio[0])) + math.log(ratio[0])
    r = torch.exp(log_r)
    eh = (torch.sqrt(area * r) * h).clamp(1, h)
    ew = (torch.sqrt(area / r) * w).clamp(1, w)
    y0 = torch.rand(n, device=dev, generator=generator) * (h - eh)
    x0 = torch.rand(n, device=dev, generator=generator) * (w - ew)
    ys = torch.arange(h, device=dev).view(1, h, 1)
    xs = torch.arange(w, device=dev).view(1, 1, w)
    mask = (ys >= y0.view(n, 1, 1)) & (ys < (y0 + eh).view(n, 1, 1)) & (xs >= x0.view(n, 1, 1)) & (xs < (x0 + ew).view(n, 1, 1))
    mask = mask & (torch.rand(n, 1, 1, device=dev, generator=generator) < p)
    noise = torch.rand(x.shape, device=dev, generator=generator)
    return torch.where(mask.unsqueeze(1), noise, x)


class ClassificationPresetEval:
    def __init__(self, size, mean=MEAN, std=STD):
        self.size = size
        self.mean = mean
        self.std = std

    def __call__(self, x, generator=None):
        if x.shape[-1] != self.size or x.shape[-2] != self.size:
            x = F.interpolate(x, size=(self.size, self.size), mode="bilinear", align_corners=False)
        return (x - self.mean) / self.std

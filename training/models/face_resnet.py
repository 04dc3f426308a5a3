"""Face-pretrained backbone: dlib's face-recognition ResNet, loaded from the TensorFlow.js port in ``@vladmandic/face-api``.

dlib's ``dlib_face_recognition_resnet_model_v1`` (Davis King, public domain) is a ResNet-34 at half width trained on
about 3M faces of 7,485 identities to produce a 128-d descriptor. The npm package ``@vladmandic/face-api`` (MIT, a
development dependency of the training side) ships its weights as ``model/face_recognition_model-weights_manifest.json``
plus ``.bin``; nothing is copied into this repository or downloaded.

The network, as face-api runs it (``src/faceRecognitionNet``): RGB in 0..255 minus the mean (122.782, 117.001, 104.298),
divided by 255; a 7x7 stride-2 'valid' conv and a 3x3 stride-2 'valid' max-pool; residual blocks of two 3x3 convs
at 32, 64, 128 and 256 channels, where each down-block has a 3x3 stride-2 'valid' first conv and a shortcut that is a
2x2 average pool zero-padded in channels (the conv path is zero-padded by one row and column when it comes out one
smaller); global mean; a 256x128 matrix. Every conv is followed by a per-channel "scale" layer (a folded BatchNorm).

Here each conv + bias + scale becomes a conv and a real ``BatchNorm2d`` whose statistics are measured on faces
(``calibrate_batchnorm``): in eval mode it computes exactly the pretrained function, and in training it normalizes
with batch statistics the way the network was trained, so it fine-tunes like any ResNet. Kept as frozen affines,
the pretrained weights fine-tune worse than a random initialisation.

Input contract of ``FaceResNet``: grey faces ``[B, 1, H, W]`` normalized ``(x/255 - MEAN) / STD``
(``training.data.MEAN/STD``) like every fer-edge model (``rgb=False``), or RGB in that normalization (``rgb=True``,
used to check the port against face-api).
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from training.data import MEAN, STD

MEAN_RGB = (122.782, 117.001, 104.298)
MODEL_FILE = "face_recognition_model-weights_manifest.json"
# (name, channels, down) in the order face-api runs them; the stem is conv32_down
BLOCKS = [("conv32_1", 32, False), ("conv32_2", 32, False), ("conv32_3", 32, False),
          ("conv64_down", 64, True), ("conv64_1", 64, False), ("conv64_2", 64, False), ("conv64_3", 64, False),
          ("conv128_down", 128, True), ("conv128_1", 128, False), ("conv128_2", 128, False),
          ("conv256_down", 256, True), ("conv256_1", 256, False), ("conv256_2", 256, False),
          ("conv256_down_out", 256, True)]
STAGES = {"stage1": "conv32_3", "stage2": "conv64_3", "stage3": "conv128_2", "stage4": "conv256_2",
          "out": "conv256_down_out"}


def find_model_dir(start=None):
    """``model/`` of the installed ``@vladmandic/face-api``: $FACE_API_MODEL_DIR, else node_modules above ``start``."""
    env = os.environ.get("FACE_API_MODEL_DIR")
    if env:
        return env
    here = os.path.abspath(start or os.path.dirname(__file__))
    while True:
        candidate = os.path.join(here, "node_modules", "@vladmandic", "face-api", "model")
        if os.path.isfile(os.path.join(candidate, MODEL_FILE)):
            return candidate
        parent = os.path.dirname(here)
        if parent == here:
            raise FileNotFoundError("the face-pretrained backbone needs the npm package @vladmandic/face-api: run "
                                    "'npm install' in the repository (or set FACE_API_MODEL_DIR to its model/ folder)")
        here = parent


def read_weights(model_dir=None):
    """The face-recognition weights as float32 numpy arrays by name (uint8 tensors dequantized: q * scale + min)."""
    model_dir = model_dir or find_model_dir()
    with open(os.path.join(model_dir, MODEL_FILE)) as f:
        manifest = json.load(f)
    out = {}
    for group in manifest:
        blob = b"".join(open(os.path.join(model_dir, p), "rb").read() for p in group["paths"])
        offset = 0
        for w in group["weights"]:
            count = int(np.prod(w["shape"])) if w["shape"] else 1
            q = w.get("quantization")
            dtype = np.dtype(q["dtype"] if q else w["dtype"])
            raw = np.frombuffer(blob, dtype=dtype, count=count, offset=offset)
            offset += count * dtype.itemsize
            if q:
                values = raw.astype(np.float32) * np.float32(q["scale"]) + np.float32(q["min"])
            else:
                values = raw.astype(np.float32)
            out[w["name"]] = values.reshape(w["shape"])
        if offset != len(blob):
            raise ValueError(f"{model_dir}: {len(blob) - offset} bytes left after the manifest's tensors")
    return out


class ConvBN(nn.Module):
    def __init__(self, cin, cout, kernel, stride, padding, relu):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, kernel, stride, padding, bias=False)
        self.bn = nn.BatchNorm2d(cout)
        self.relu = relu

    def forward(self, x):
        x = self.bn(self.conv(x))
        return F.relu(x) if self.relu else x


class Residual(nn.Module):
    def __init__(self, cin, cout, down):
        super().__init__()
        self.down = down
        self.conv1 = ConvBN(cin, cout, 3, 2 if down else 1, 0 if down else 1, relu=True)
        self.conv2 = ConvBN(cout, cout, 3, 1, 1, relu=False)
        self.extra_channels = cout - cin

    def forward(self, x):
        out = self.conv2(self.conv1(x))
        if not self.down:
            return F.relu(out + x)
        shortcut = F.avg_pool2d(x, 2, 2)
        if out.shape[-1] != shortcut.shape[-1]:
            out = F.pad(out, (0, shortcut.shape[-1] - out.shape[-1], 0, shortcut.shape[-2] - out.shape[-2]))
        if self.extra_channels:
            shortcut = F.pad(shortcut, (0, 0, 0, 0, 0, self.extra_channels))
        return F.relu(out + shortcut)


class FaceResNet(nn.Module):
    """The backbone; ``forward`` returns the 128-d descriptor, ``features`` the maps of the named stages."""

    def __init__(self, rgb=False):
        super().__init__()
        self.rgb = rgb
        # undo fer-edge's (x/255 - MEAN) / STD, then face-api's (x - mean_rgb) / 255
        self.register_buffer("mean", torch.tensor(MEAN_RGB).view(1, 3, 1, 1) / 255.0)
        self.conv32_down = ConvBN(3, 32, 7, 2, 0, relu=True)
        cin = 32
        self.blocks = nn.ModuleDict()
        for name, cout, down in BLOCKS:
            self.blocks[name] = Residual(cin, cout, down)
            cin = cout
        self.fc = nn.Linear(256, 128, bias=False)

    def normalize(self, x):
        if not self.rgb:
            x = torch.cat([x, x, x], dim=1)
        return x * STD + MEAN - self.mean

    def features(self, x, stages=("out",)):
        """{stage: feature map} for stages among stage1..stage4 and out (see STAGES)."""
        want = {STAGES[s]: s for s in stages}
        out = {}
        x = F.max_pool2d(self.conv32_down(self.normalize(x)), 3, 2)
        for name, block in self.blocks.items():
            x = block(x)
            if name in want:
                out[want[name]] = x
                if len(out) == len(want):
                    break
        return out

    def forward(self, x):
        return self.fc(self.features(x)["out"].mean((2, 3)))

    def stage_groups(self):
        """Modules from the deepest stage to the stem."""
        names = list(self.blocks)
        groups = [("out", [self.blocks["conv256_down_out"]] + ([self.fc] if hasattr(self, "fc") else []))]
        for label, first, last in [("stage4", "conv256_down", "conv256_2"), ("stage3", "conv128_down", "conv128_2"),
                                   ("stage2", "conv64_down", "conv64_3"), ("stage1", "conv32_1", "conv32_3")]:
            i, j = names.index(first), names.index(last)
            groups.append((label, [self.blocks[n] for n in names[i:j + 1]]))
        groups.append(("stem", [self.conv32_down]))
        return groups


def _conv_layers(model):
    yield "conv32_down", model.conv32_down
    for name, block in model.blocks.items():
        yield f"{name}/conv1", block.conv1
        yield f"{name}/conv2", block.conv2


@torch.no_grad()
def load_pretrained(model, weights=None):
    """Put the face-api weights into ``model``, each scale layer as a BatchNorm with mean 0 and variance 1, so that
    the model computes the pretrained function in eval mode; ``calibrate_batchnorm`` then measures real statistics."""
    weights = weights if weights is not None else read_weights()
    eps = None
    for name, layer in _conv_layers(model):
        w = torch.from_numpy(weights[f"{name}/conv/filters"]).permute(3, 2, 0, 1)  # [kh,kw,cin,cout] -> [cout,cin,kh,kw]
        layer.conv.weight.copy_(w)
        bias = torch.from_numpy(weights[f"{name}/conv/bias"])
        gain = torch.from_numpy(weights[f"{name}/scale/weights"])
        shift = torch.from_numpy(weights[f"{name}/scale/biases"])
        bn = layer.bn
        eps = bn.eps
        bn.running_mean.zero_()
        bn.running_var.fill_(1.0 - bn.eps)
        bn.weight.copy_(gain)
        bn.bias.copy_(gain * bias + shift)
    model.fc.weight.copy_(torch.from_numpy(weights["fc"]).t())
    return model


@torch.no_grad()
def calibrate_batchnorm(model, images, batch_size=128):
    """Measure each conv output's per-channel mean and std on ``images`` (normalized model inputs) under the current
    (pretrained) function, then re-express every BatchNorm so that batch statistics reproduce that function:
    gamma = g * std, beta = g * mean + b, running statistics (mean, std^2). Eval-mode output is unchanged."""
    layers = [layer for _, layer in _conv_layers(model)]
    sums = {id(layer): None for layer in layers}

    def hook(layer):
        def record(_module, _inputs, output):
            z = output.double()
            s = (z.sum((0, 2, 3)), (z * z).sum((0, 2, 3)), z.shape[0] * z.shape[2] * z.shape[3])
            prev = sums[id(layer)]
            sums[id(layer)] = s if prev is None else (prev[0] + s[0], prev[1] + s[1], prev[2] + s[2])
        return record

    handles = [layer.conv.register_forward_hook(hook(layer)) for layer in layers]
    was_training = model.training
    model.eval()
    try:
        for i in range(0, len(images), batch_size):
            model.features(images[i:i + batch_size])
    finally:
        for h in handles:
            h.remove()
        model.train(was_training)
    for layer in layers:
        total, total_sq, n = sums[id(layer)]
        mean = total / n
        var = (total_sq / n - mean * mean).clamp(min=1e-10)
        bn = layer.bn
        # current eval function: y = weight * (z - running_mean) / sqrt(running_var + eps) + bias
        g = bn.weight.double() / torch.sqrt(bn.running_var.double() + bn.eps)
        b = bn.bias.double() - g * bn.running_mean.double()  # y = g * z + b
        std = torch.sqrt(var + bn.eps)
        bn.weight.copy_((g * std).float())
        bn.bias.copy_((g * mean + b).float())
        bn.running_mean.copy_(mean.float())
        bn.running_var.copy_(var.float())
    return model


def face_resnet(pretrained=True, rgb=False, weights_dir=None):
    model = FaceResNet(rgb=rgb)
    if pretrained:
        load_pretrained(model, read_weights(weights_dir))
    return model

"""Student: MobileNetV3-Small with a 1-channel stem, adapted for small faces, and its Edge-TPU-friendly variant.

The block table is the paper's (and torchvision's) MobileNetV3-Small. ``downsample`` sets the total stride: 32 is the
stock network (a 64 px face ends on a 2x2 map); 16 drops the stem's stride; 8 also drops the first block's stride,
so a 64 px face ends on an 8x8 map. ``edgetpu=True`` swaps hard-swish for ReLU and removes squeeze-excite, which
the Edge TPU compiler maps fully onto the accelerator and which quantizes to int8 without loss.
"""
import torch
from torch import nn

# kernel, expanded, out, squeeze-excite, activation ("RE" relu / "HS" hard-swish), stride
SMALL_BLOCKS = [
    (3, 16, 16, True, "RE", 2),
    (3, 72, 24, False, "RE", 2),
    (3, 88, 24, False, "RE", 1),
    (5, 96, 40, True, "HS", 2),
    (5, 240, 40, True, "HS", 1),
    (5, 240, 40, True, "HS", 1),
    (5, 120, 48, True, "HS", 1),
    (5, 144, 48, True, "HS", 1),
    (5, 288, 96, True, "HS", 2),
    (5, 576, 96, True, "HS", 1),
    (5, 576, 96, True, "HS", 1),
]


def _divisible(v, divisor=8):
    new = max(divisor, int(v + divisor / 2) // divisor * divisor)
    return new + divisor if new < 0.9 * v else new


def _act(name):
    return nn.ReLU(inplace=True) if name == "RE" else nn.Hardswish(inplace=True)


class ConvBNAct(nn.Sequential):
    def __init__(self, cin, cout, kernel, stride=1, groups=1, act="RE"):
        layers = [nn.Conv2d(cin, cout, kernel, stride, (kernel - 1) // 2, groups=groups, bias=False),
                  nn.BatchNorm2d(cout)]
        if act is not None:
            layers.append(_act(act))
        super().__init__(*layers)


class SqueezeExcite(nn.Module):
    def __init__(self, channels):
        super().__init__()
        hidden = _divisible(channels // 4)
        self.fc1 = nn.Conv2d(channels, hidden, 1)
        self.fc2 = nn.Conv2d(hidden, channels, 1)

    def forward(self, x):
        s = x.mean((2, 3), keepdim=True)
        s = torch.relu(self.fc1(s))
        return x * nn.functional.hardsigmoid(self.fc2(s))


class InvertedResidual(nn.Module):
    def __init__(self, cin, kernel, expanded, cout, se, act, stride):
        super().__init__()
        self.use_res = stride == 1 and cin == cout
        layers = []
        if expanded != cin:
            layers.append(ConvBNAct(cin, expanded, 1, act=act))
        layers.append(ConvBNAct(expanded, expanded, kernel, stride, groups=expanded, act=act))
        if se:
            layers.append(SqueezeExcite(expanded))
        layers.append(ConvBNAct(expanded, cout, 1, act=None))
        self.block = nn.Sequential(*layers)

    def forward(self, x):
        y = self.block(x)
        return x + y if self.use_res else y


class MobileNetV3Small(nn.Module):
    def __init__(self, num_classes=7, in_channels=1, width_mult=1.0, downsample=8, edgetpu=False, dropout=0.2,
                 last_channels=1024):
        super().__init__()
        if downsample not in (8, 16, 32):
            raise ValueError("downsample must be 8, 16 or 32")
        drop_strides = {32: 0, 16: 1, 8: 2}[downsample]  # strides removed from the earliest layers
        stem_stride = 1 if drop_strides >= 1 else 2
        stem_act = "RE" if edgetpu else "HS"
        first = _divisible(16 * width_mult)
        layers = [ConvBNAct(in_channels, first, 3, stem_stride, act=stem_act)]
        cin = first
        for i, (k, exp, out, se, act, stride) in enumerate(SMALL_BLOCKS):
            if i == 0 and drop_strides >= 2:
                stride = 1
            if edgetpu:
                se, act = False, "RE"
            exp, out = _divisible(exp * width_mult), _divisible(out * width_mult)
            layers.append(InvertedResidual(cin, k, exp, out, se, act, stride))
            cin = out
        last_conv = 6 * cin
        layers.append(ConvBNAct(cin, last_conv, 1, act=stem_act))
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(
            nn.Linear(last_conv, last_channels), _act(stem_act), nn.Dropout(dropout), nn.Linear(last_channels, num_classes))
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out")
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0, 0.01)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        x = self.pool(self.features(x)).flatten(1)
        return self.classifier(x)


def mobilenet_v3_small(num_classes=7, in_channels=1, **kwargs):
    return MobileNetV3Small(num_classes, in_channels, **kwargs)


def mobilenet_v3_small_edgetpu(num_classes=7, in_channels=1, **kwargs):
    return MobileNetV3Small(num_classes, in_channels, edgetpu=True, **kwargs)

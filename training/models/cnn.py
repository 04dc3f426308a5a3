"""Baseline: the second report's 0.58M-parameter 4-block CNN (48x48 grey in, 7 logits out).

Four blocks of two 3x3 convolutions (BN, ReLU), each followed by 2x2 max-pooling and dropout; widths 32-64-128-128;
global average pooling and a small dense head. 0.59M parameters at 7 classes (the report: 0.58M).
"""
from torch import nn


def _block(cin, cout, dropout):
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
        nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
        nn.MaxPool2d(2), nn.Dropout(dropout))


class FourBlockCNN(nn.Module):
    def __init__(self, num_classes=7, in_channels=1, widths=(32, 64, 128, 128), hidden=64, dropout=0.25):
        super().__init__()
        blocks, cin = [], in_channels
        for w in widths:
            blocks.append(_block(cin, w, dropout))
            cin = w
        self.features = nn.Sequential(*blocks)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(
            nn.Linear(cin, hidden), nn.BatchNorm1d(hidden), nn.ReLU(inplace=True), nn.Dropout(0.5),
            nn.Linear(hidden, num_classes))

    def forward(self, x):
        return self.classifier(self.pool(self.features(x)).flatten(1))


def cnn4(num_classes=7, in_channels=1, **kwargs):
    return FourBlockCNN(num_classes, in_channels, **kwargs)

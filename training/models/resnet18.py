"""Baseline: ResNet18 (the first report's 70.72% transfer baseline).

A 1-channel input: with local ImageNet weights (``pretrained=path``, torchvision's resnet18 state_dict; never
downloaded) the first convolution's RGB filters are summed into one grey filter and the stock 7x7 stride-2 stem is
kept without its max-pool; from scratch the stem is a 3x3 stride-1 convolution with the max-pool (total stride 16
either way, so a 48-96 px face ends on a 3x3 to 6x6 map).
"""
from torch import nn
from torchvision.models import resnet18 as tv_resnet18

from training.models.weights import load_local_state_dict


class ResNet18(nn.Module):
    def __init__(self, num_classes=7, pretrained=None, dropout=0.2):
        super().__init__()
        net = tv_resnet18(weights=None)
        if pretrained:
            state = load_local_state_dict(pretrained)
            state["conv1.weight"] = state["conv1.weight"].sum(1, keepdim=True)
            net.conv1 = nn.Conv2d(1, 64, 7, 2, 3, bias=False)
            net.load_state_dict(state, strict=False)
            net.maxpool = nn.Identity()
        else:
            net.conv1 = nn.Conv2d(1, 64, 3, 1, 1, bias=False)
        self.stem = nn.Sequential(net.conv1, net.bn1, net.relu, net.maxpool)
        self.layer1, self.layer2, self.layer3, self.layer4 = net.layer1, net.layer2, net.layer3, net.layer4
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(dropout), nn.Linear(512, num_classes))

    def forward(self, x):
        return self.head(self.layer4(self.layer3(self.layer2(self.layer1(self.stem(x))))))

    def stage_groups(self):
        return [("head", [self.head]), ("layer4", [self.layer4]), ("layer3", [self.layer3]),
                ("layer2", [self.layer2]), ("layer1", [self.layer1]), ("stem", [self.stem])]


def resnet18(num_classes=7, pretrained=None, input_size=None):
    return ResNet18(num_classes, pretrained)

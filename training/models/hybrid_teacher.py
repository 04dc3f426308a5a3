"""Teacher: the first report's hybrid, on a face-pretrained ResNet (default) or ResNet50.

    grey [B,1,H,W] -> backbone -> a feature map (the tokens) and globally pooled features
      -> spatial-channel attention (channel squeeze-excite, then a 7x7 spatial map from mean/max over channels)
      -> 1x1 projection to d_model, a transformer block over the HxW tokens with learned position embeddings
      -> one branch per class (a small MLP on the pooled tokens) -> a fusion layer over all branch outputs -> logits
      + a linear shortcut from the pooled backbone features to the logits

Backbones (``backbone=``):
- ``face-resnet``: dlib's face-recognition ResNet from ``@vladmandic/face-api`` (``face_resnet.py``), 112 px and up. Its
  last down-block leaves a 1x1 map at 112 px, so the tokens come from the stage before it (``tokens="stage4"``, 3x3 at
  112 px, 4x4 at 150 px) or, at 224 px and up, from its output (``tokens="out"``). The pooled features for the shortcut
  are always the output's. Its BatchNorms are calibrated on training faces before fine-tuning (``calibrate``).
- ``resnet50``: torchvision's ResNet50, from scratch with a small-input stem (3x3 stride-1 conv, then max-pool; total
  stride 16, for 48-96 px) or from a local ImageNet file (``pretrained=path``, never downloaded; the stock 7x7 stride-2
  stem without its max-pool, still stride 16). A learnable 1x1 conv maps grey to RGB.

The shortcut is ours, not the report's: from scratch on the full train split the head alone kept the ResNet50 at
chance (loss 1.97 and 24% running train accuracy after 200 steps, where a plain ResNet50 was at 1.87 and 33%); with it
the first steps track the plain ResNet50 and the head learns on top of a backbone that already does.

``stage_groups()`` lists parameter groups from the head down to the stem, for progressive unfreezing.
"""
import torch
from torch import nn
from torchvision.models import resnet50

from training.models import face_resnet
from training.models.weights import load_local_state_dict

class ChannelAttention(nn.Module):
    def __init__(self, channels, reduction=16):
        super().__init__()
        self.fc = nn.Sequential(nn.Conv2d(channels, channels // reduction, 1), nn.ReLU(inplace=True),
                                nn.Conv2d(channels // reduction, channels, 1))

    def forward(self, x):
        return x * torch.sigmoid(self.fc(x.mean((2, 3), keepdim=True)) + self.fc(x.amax((2, 3), keepdim=True)))


class SpatialAttention(nn.Module):
    def __init__(self, kernel=7):
        super().__init__()
        self.conv = nn.Conv2d(2, 1, kernel, padding=kernel // 2)

    def forward(self, x):
        pooled = torch.cat([x.mean(1, keepdim=True), x.amax(1, keepdim=True)], dim=1)
        return x * torch.sigmoid(self.conv(pooled))


class TransformerBlock(nn.Module):
    """Pre-norm multi-head self-attention + MLP over spatial tokens, with learned position embeddings."""

    def __init__(self, dim, heads, grid, mlp_ratio=2.0, dropout=0.1):
        super().__init__()
        self.grid = grid
        self.pos = nn.Parameter(torch.zeros(1, dim, grid, grid))
        nn.init.trunc_normal_(self.pos, std=0.02)
        self.norm1 = nn.LayerNorm(dim)
        self.attn = nn.MultiheadAttention(dim, heads, dropout=dropout, batch_first=True)
        self.norm2 = nn.LayerNorm(dim)
        hidden = int(dim * mlp_ratio)
        self.mlp = nn.Sequential(nn.Linear(dim, hidden), nn.GELU(), nn.Dropout(dropout), nn.Linear(hidden, dim))

    def forward(self, x):
        pos = self.pos
        if x.shape[-2:] != pos.shape[-2:]:
            pos = nn.functional.interpolate(pos, size=x.shape[-2:], mode="bilinear", align_corners=False)
        tokens = (x + pos).flatten(2).transpose(1, 2)  # [B, HW, C]
        h = self.norm1(tokens)
        tokens = tokens + self.attn(h, h, h, need_weights=False)[0]
        return tokens + self.mlp(self.norm2(tokens))


class ResNet50Backbone(nn.Module):
    channels, stride = 2048, 16

    def __init__(self, pretrained=None):
        super().__init__()
        self.pretrained = bool(pretrained)
        self.adapter = nn.Conv2d(1, 3, 1)
        nn.init.constant_(self.adapter.weight, 1.0)
        nn.init.zeros_(self.adapter.bias)
        net = resnet50(weights=None)
        if pretrained:
            missing, _ = net.load_state_dict(load_local_state_dict(pretrained), strict=False)
            if [k for k in missing if not k.startswith("fc.")]:
                raise ValueError(f"{pretrained} is not a torchvision resnet50 state_dict (missing {missing[:3]}...)")
            net.maxpool = nn.Identity()  # keep the 7x7 stride-2 stem and its weights
        else:
            net.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)  # small-input stem; the max-pool stays
        self.stem = nn.Sequential(net.conv1, net.bn1, net.relu, net.maxpool)
        self.layer1, self.layer2, self.layer3, self.layer4 = net.layer1, net.layer2, net.layer3, net.layer4

    def forward(self, x):
        features = self.layer4(self.layer3(self.layer2(self.layer1(self.stem(self.adapter(x))))))
        return features, features.mean((2, 3))

    def grid(self, input_size):
        return max(1, -(-input_size // 16))

    def stage_groups(self):
        return [("layer4", [self.layer4]), ("layer3", [self.layer3]), ("layer2", [self.layer2]),
                ("layer1", [self.layer1]), ("stem", [self.stem, self.adapter])]


class FaceResNetBackbone(nn.Module):
    def __init__(self, tokens="stage4", pretrained=True):
        super().__init__()
        if tokens not in ("stage3", "stage4", "out"):
            raise ValueError("tokens must be stage3, stage4 or out")
        self.pretrained = pretrained
        self.tokens = tokens
        self.net = face_resnet.face_resnet(pretrained=pretrained)
        del self.net.fc  # the descriptor layer: the teacher uses the pooled 256-d features
        self.channels = {"stage3": 128, "stage4": 256, "out": 256}[tokens]

    def forward(self, x):
        maps = self.net.features(x, (self.tokens, "out"))
        return maps[self.tokens], maps["out"].mean((2, 3))

    def grid(self, input_size):
        with torch.no_grad():
            return self.net.features(torch.zeros(1, 1, input_size, input_size), (self.tokens,))[self.tokens].shape[-1]

    def calibrate(self, images):
        face_resnet.calibrate_batchnorm(self.net, images)

    def stage_groups(self):
        return self.net.stage_groups()


class HybridTeacher(nn.Module):
    def __init__(self, num_classes=7, input_size=112, backbone="face-resnet", tokens="stage4", pretrained=None,
                 init_weights=True, dim=256, heads=8, branch_dim=32, dropout=0.3):
        super().__init__()
        if backbone == "face-resnet":
            self.backbone = FaceResNetBackbone(tokens, pretrained=init_weights)
            pooled_channels = 256
        elif backbone == "resnet50":
            self.backbone = ResNet50Backbone(pretrained if init_weights else None)
            pooled_channels = 2048
        else:
            raise ValueError("backbone must be face-resnet or resnet50")
        channels = self.backbone.channels
        self.pretrained = self.backbone.pretrained
        self.channel_attention = ChannelAttention(channels)
        self.spatial_attention = SpatialAttention()
        self.project = nn.Sequential(nn.Conv2d(channels, dim, 1, bias=False), nn.BatchNorm2d(dim), nn.ReLU(inplace=True))
        self.transformer = TransformerBlock(dim, heads, self.backbone.grid(input_size))
        self.norm = nn.LayerNorm(dim)
        self.dropout = nn.Dropout(dropout)
        self.branches = nn.ModuleList(
            nn.Sequential(nn.Linear(dim, branch_dim), nn.GELU()) for _ in range(num_classes))
        self.branch_logit = nn.ModuleList(nn.Linear(branch_dim, 1) for _ in range(num_classes))
        self.fusion = nn.Linear(num_classes * branch_dim + num_classes, num_classes)
        self.shortcut = nn.Linear(pooled_channels, num_classes)

    def forward(self, x):
        features, pooled_features = self.backbone(x)
        x = self.spatial_attention(self.channel_attention(features))
        tokens = self.transformer(self.project(x))
        pooled = self.dropout(self.norm(tokens.mean(1)))
        feats = [branch(pooled) for branch in self.branches]
        branch_logits = torch.cat([head(f) for head, f in zip(self.branch_logit, feats)], dim=1)
        head_logits = self.fusion(torch.cat(feats + [branch_logits], dim=1)) + branch_logits
        return head_logits + self.shortcut(self.dropout(pooled_features))

    def calibrate(self, images):
        """Measure the pretrained backbone's BatchNorm statistics on training faces (face-resnet only)."""
        if hasattr(self.backbone, "calibrate"):
            self.backbone.calibrate(images)

    def stage_groups(self):
        """(name, modules) from the head down to the stem: the progressive unfreezing order."""
        head = [self.channel_attention, self.spatial_attention, self.project, self.transformer, self.norm,
                self.branches, self.branch_logit, self.fusion, self.shortcut]
        return [("head", head)] + self.backbone.stage_groups()


def hybrid_teacher(num_classes=7, input_size=None, backbone="face-resnet", **kwargs):
    input_size = input_size or (112 if backbone == "face-resnet" else 48)
    return HybridTeacher(num_classes, input_size, backbone, **kwargs)

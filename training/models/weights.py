"""Local ImageNet weights: read a torchvision state_dict from a file the user gives. Nothing is ever downloaded."""
import os

import torch


def load_local_state_dict(path):
    """A state_dict from ``path`` (a bare state_dict or a checkpoint holding one under 'state_dict' / 'model'),
    without the ImageNet classifier ('fc.*')."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"pretrained weights {path} not found (they are never downloaded: give a local file)")
    state = torch.load(path, map_location="cpu")
    state = state.get("state_dict", state.get("model", state))
    return {k: v for k, v in state.items() if not k.startswith("fc.")}

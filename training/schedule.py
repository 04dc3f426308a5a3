"""Learning-rate schedule (linear warm-up, cosine decay) and the progressive unfreezing plan for pretrained backbones.

Progressive (with ``--pretrained``): for ``stage_epochs`` epochs only the head trains; then every ``stage_epochs`` one
more stage is unfrozen, deep to shallow (layer4, layer3, ... stem), each with its own learning rate
(``lr * stage_lr_decay ** depth``); the last ``stage_epochs`` epochs train the head alone again.
"""
import math


def lr_at(step, total_steps, warmup_steps, base_lr, min_lr):
    if step < warmup_steps:
        return base_lr * (step + 1) / warmup_steps
    t = (step - warmup_steps) / max(1, total_steps - warmup_steps)
    return min_lr + 0.5 * (base_lr - min_lr) * (1 + math.cos(math.pi * min(1.0, t)))


def param_groups(model, weight_decay, progressive=False, stage_lr_decay=0.5):
    """AdamW groups: no weight decay on biases and norms; with ``progressive``, two groups per stage."""
    if progressive and hasattr(model, "stage_groups"):
        stages = [(depth, [p for m in modules for p in m.parameters()])
                  for depth, (_, modules) in enumerate(model.stage_groups())]
    else:
        stages = [(0, list(model.parameters()))]
    covered = sum(len(params) for _, params in stages)
    if covered != len(list(model.parameters())):
        raise ValueError("stage_groups() does not cover every parameter of the model")
    groups = []
    for depth, params in stages:
        scale = stage_lr_decay ** depth
        groups.append({"params": [p for p in params if p.ndim > 1], "weight_decay": weight_decay,
                       "lr_scale": scale, "stage": depth})
        groups.append({"params": [p for p in params if p.ndim <= 1], "weight_decay": 0.0,
                       "lr_scale": scale, "stage": depth})
    return groups


def deepest_trainable_stage(epoch, n_stages, stage_epochs, epochs):
    """0 = head only; k = head and the k stages below it."""
    if epoch >= epochs - stage_epochs:
        return 0
    return min(epoch // stage_epochs, n_stages - 1)


def apply_freezing(optimizer, deepest):
    for group in optimizer.param_groups:
        for p in group["params"]:
            p.requires_grad_(group.get("stage", 0) <= deepest)

"""Epoch index orders: a plain shuffle or a class-balanced weighted random draw, sharded across DDP ranks.

Each epoch's order depends only on (seed, epoch), so a run resumed in the middle of an epoch sees the same batches.
"""
import torch


def epoch_indices(labels, epoch, seed, balanced=False, world_size=1, rank=0):
    g = torch.Generator().manual_seed(seed * 1000 + epoch)
    n = len(labels)
    if balanced:
        counts = torch.bincount(labels).float()
        weights = (1.0 / counts)[labels]
        order = torch.multinomial(weights, n, replacement=True, generator=g)
    else:
        order = torch.randperm(n, generator=g)
    per_rank = n // world_size
    return order[rank * per_rank:(rank + 1) * per_rank]


def batches(indices, batch_size, drop_last=True):
    n = len(indices) // batch_size * batch_size if drop_last else len(indices)
    return [indices[i:i + batch_size] for i in range(0, n, batch_size)]

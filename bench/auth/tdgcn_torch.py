#!/usr/bin/python3
"""Bench only: physec's TDGCN architecture (auth/models/include/physec/auth/models/tdgcn.hpp) written in PyTorch the
way TodyNet writes its backbone (Conv2d (1, k) temporal convolutions, 1x1 Conv2d MLPs, nodes-as-channels Conv2d
pooling), timed with the protocol of bench_tdgcn.cpp: random inputs, `warmup` epochs, then the median over `epochs`
epochs of the training step alone (forward, loss, backward, Adam step; no data loading, no validation), and the
median batch-1 inference latency in eval mode.

Run with Debian's python3-torch on the same cores and threads as the C++ bench:
  OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/auth/tdgcn_torch.py --dims 6 --steps 100 --classes 4
Prints one JSON line.
"""
import argparse
import json
import math
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def normalize_adjacency(a):
    d = a.sum(-1).clamp_min(1.0).rsqrt()
    return d.unsqueeze(-1) * a * d.unsqueeze(-2)


def causal(conv, x):
    return conv(F.pad(x, (conv.kernel_size[-1] - 1, 0)))


class SlotGraph(nn.Module):
    def __init__(self, n, g, e, keep_ratio):
        super().__init__()
        self.keep = max(1, round(keep_ratio * (n - 1)))
        self.source = nn.Parameter(torch.randn(g, n, e))
        self.target = nn.Parameter(torch.randn(g, n, e))

    def forward(self):
        n = self.source.size(1)
        off = 1 - torch.eye(n)
        a = torch.sigmoid(self.source @ self.target.transpose(1, 2) / math.sqrt(self.source.size(2))) * off
        if self.keep >= n - 1:
            return a
        thr = a.topk(self.keep, -1)[0][..., -1:]
        return a * (a >= thr).to(a.dtype).detach()


class DynamicGin(nn.Module):
    def __init__(self, c, h, g):
        super().__init__()
        self.g = g
        self.eps = nn.Parameter(torch.zeros(1))
        self.temporal = nn.Parameter(torch.ones(1)) if g > 1 else None
        self.mlp0 = nn.Conv2d(c, h, 1)
        self.mlp1 = nn.Conv2d(h, c, 1)

    def forward(self, x, a_norm):
        b, c, n, t = x.shape
        g = a_norm.size(0)
        l = t // g
        spatial = torch.einsum("gnm,bcmgl->bcngl", a_norm, x.view(b, c, n, g, l)).reshape(b, c, n, t)
        u = (1 + self.eps) * x + spatial
        if self.temporal is not None:
            u = u + self.temporal * F.pad(x, (l, 0))[..., :t]
        return self.mlp1(torch.relu(self.mlp0(u)))


class NodePool(nn.Module):
    def __init__(self, n_in, n_out, k):
        super().__init__()
        self.conv = nn.Conv2d(n_in, n_out, (1, k))

    def forward(self, x, a):
        y = causal(self.conv, x.transpose(1, 2)).transpose(1, 2)
        s = self.conv.weight.abs().sum((2, 3))
        s = s / s.sum(1, keepdim=True).clamp_min(1e-12)
        return y, s @ a @ s.t()


class Tdgcn(nn.Module):
    def __init__(self, d, t, classes, kernels=(9, 5, 3), channels=(64, 128, 256), slots=4, emb=16, keep=0.5,
                 pool_ratio=0.2, dropout=0.5):
        super().__init__()
        self.t, self.tp = t, (t + slots - 1) // slots * slots
        nodes = [d] + [max(1, round(d * (1 - pool_ratio * l))) for l in range(1, len(kernels) + 1)]
        self.graph = SlotGraph(d, slots, emb, keep)
        self.tconvs, self.gins, self.pools, self.norms = nn.ModuleList(), nn.ModuleList(), nn.ModuleList(), nn.ModuleList()
        c_in = 1
        for l, (k, c) in enumerate(zip(kernels, channels)):
            self.tconvs.append(nn.Conv2d(c_in, c, (1, k)))
            self.gins.append(DynamicGin(c, c, slots))
            self.pools.append(NodePool(nodes[l], nodes[l + 1], k))
            self.norms.append(nn.BatchNorm2d(c))
            c_in = c
        self.dropout = dropout
        self.fc = nn.Linear(c_in, classes)

    def forward(self, x):
        if self.tp > self.t:
            x = F.pad(x, (0, self.tp - self.t))
        x = x.unsqueeze(1)
        a = self.graph()
        for tconv, gin, pool, norm in zip(self.tconvs, self.gins, self.pools, self.norms):
            x = causal(tconv, x)
            x = gin(x, normalize_adjacency(a))
            x, a = pool(x, a)
            x = F.dropout(torch.relu(norm(x)), self.dropout, self.training)
        return self.fc(x.mean((2, 3)))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dims", type=int, default=6)
    p.add_argument("--steps", type=int, default=100)
    p.add_argument("--classes", type=int, default=4)
    p.add_argument("--n", type=int, default=64, help="training examples per epoch")
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--channels", default="64,128,256")
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--latency-runs", type=int, default=200)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    model = Tdgcn(a.dims, a.steps, a.classes, channels=tuple(int(c) for c in a.channels.split(",")))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)
    x = torch.randn(a.n, a.dims, a.steps)
    y = torch.randint(0, a.classes, (a.n,))
    epoch_s = []
    for e in range(a.warmup + a.epochs):
        model.train()
        t0 = time.perf_counter()
        for first in range(0, a.n, a.batch):
            opt.zero_grad()
            loss = F.cross_entropy(model(x[first:first + a.batch]), y[first:first + a.batch])
            loss.backward()
            opt.step()
        if e >= a.warmup:
            epoch_s.append(time.perf_counter() - t0)
    model.eval()
    lat = []
    with torch.no_grad():
        one = x[:1]
        for r in range(a.latency_runs + 10):
            t0 = time.perf_counter()
            model(one)
            if r >= 10:
                lat.append((time.perf_counter() - t0) * 1e3)
    steps = math.ceil(a.n / a.batch)
    print(json.dumps({"impl": "pytorch " + torch.__version__, "dims": a.dims, "steps": a.steps, "n": a.n,
                      "batch": a.batch, "threads": a.threads, "epoch_s_median": statistics.median(epoch_s),
                      "step_ms_median": statistics.median(epoch_s) / steps * 1e3,
                      "latency_ms_median": statistics.median(lat),
                      "parameters": sum(p.numel() for p in model.parameters())}))


if __name__ == "__main__":
    main()

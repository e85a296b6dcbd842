"""PyTorch's side of `kiln bench`: the same models, batch, optimiser and measurements as
kiln's (`crates/kiln-cli/src/bench/measure.rs`), on the CPU with all its threads, eager, in the
default (NCHW) layout and in channels-last. `kiln bench` carries this file and runs it with
`python3` when PyTorch is installed, asking for one measurement at a time, so that kiln's and
PyTorch's timings of a model alternate and a host that speeds up or slows down over minutes
moves both alike.

Reads one request per line on standard input, `model NAME` or `layer C K SIDE STRIDE`, and
answers each with its lines and then `END`:
`RESULT model<TAB>variant<TAB>train images/s<TAB>inference images/s` (one line per layout) and
`LAYER shape<TAB>variant<TAB>forward<TAB>input-gradient<TAB>weight-gradient GFLOP/s`, the
format `kiln bench` reads. By hand:
`echo "model resnet20-28x28x1" | python3 pytorch_bench.py --steps 6`.
"""

import argparse
import os
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    """He et al.'s basic block with the option-A (zero-padded identity) shortcut."""

    def __init__(self, c, k, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(c, k, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(k)
        self.conv2 = nn.Conv2d(k, k, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(k)
        self.stride, self.extra = stride, k - c

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        shortcut = x[:, :, :: self.stride, :: self.stride] if self.stride != 1 else x
        if self.extra:
            shortcut = F.pad(shortcut, (0, 0, 0, 0, 0, self.extra))
        return F.relu(out + shortcut)


class ResNet(nn.Module):
    """kiln's `cifar_resnet!` (stem of 16 filters) or `compact_resnet!` (32 filters and a
    2×2 max pool): three stages of `n` blocks, global average pooling, a linear layer."""

    def __init__(self, depth, widths, n, pooled_stem):
        super().__init__()
        self.conv1 = nn.Conv2d(depth, widths[0], 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.pool = nn.MaxPool2d(2) if pooled_stem else nn.Identity()
        blocks, c = [], widths[0]
        for i, k in enumerate(widths):
            for j in range(n):
                blocks.append(Block(c, k, 2 if (i > 0 and j == 0) else 1))
                c = k
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(c, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.bn1(self.conv1(x))))
        x = self.blocks(x)
        return self.fc(x.mean(dim=(2, 3)))


MODELS = {
    "resnet20-28x28x1": (lambda: ResNet(1, [16, 32, 64], 3, False), (1, 28, 28)),
    "compact-resnet8-28x28x1": (lambda: ResNet(1, [32, 64, 128], 1, True), (1, 28, 28)),
    "resnet20-32x32x3": (lambda: ResNet(3, [16, 32, 64], 3, False), (3, 32, 32)),
}

def seconds_per_call(steps, f):
    """Seconds per call of `f`, after two untimed calls (allocation, oneDNN's primitive cache)."""
    f()
    f()
    start = time.perf_counter()
    for _ in range(steps):
        f()
    return (time.perf_counter() - start) / steps


def median_seconds(steps, f):
    """The median seconds of `steps` timed calls of `f`, after two untimed calls: one layer's
    pass takes milliseconds, and on a shared machine a few stalls would dominate a mean."""
    f()
    f()
    times = []
    for _ in range(max(steps, 1)):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def model_speed(name, channels_last, args):
    make, (d, h, w) = MODELS[name]
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    model = make().to(memory_format=fmt)
    images = torch.randn(args.batch, d, h, w).to(memory_format=fmt)
    labels = torch.arange(args.batch) % 10
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(images), labels)
        loss.item()
        loss.backward()
        opt.step()

    model.train()
    train = args.batch / seconds_per_call(args.steps, step)
    model.eval()
    with torch.no_grad():
        infer = args.batch / seconds_per_call(args.steps, lambda: model(images))
    return train, infer


def layer_speed(shape, args):
    """GFLOP/s of one convolution's forward pass, input gradient and weight gradient, from the
    median time of a call, each pass timed on its own: the gradients through `aten.convolution_backward` with one output asked for, the
    call autograd makes in a training step."""
    c, k, side, stride = shape
    out = (side + 2 - 3) // stride + 1
    flop = 2.0 * args.batch * k * out * out * c * 9
    x = torch.randn(args.batch, c, side, side)
    w = torch.randn(k, c, 3, 3)
    dy = torch.randn(args.batch, k, out, out)

    def backward(mask):
        return lambda: torch.ops.aten.convolution_backward(
            dy, x, w, None, [stride] * 2, [1, 1], [1, 1], False, [0, 0], 1, mask
        )

    with torch.no_grad():
        times = [
            median_seconds(args.steps, lambda: F.conv2d(x, w, None, stride, 1)),
            median_seconds(args.steps, backward([True, False, False])),
            median_seconds(args.steps, backward([False, True, False])),
        ]
    return [flop / max(t, 1e-9) / 1e9 for t in times]


def answer(request, args):
    """The lines answering one request, or an `ERROR` line for one it does not know."""
    match request.split():
        case ["model", name] if name in MODELS:
            lines = []
            for channels_last, variant in [(False, "pytorch"), (True, "pytorch-channels-last")]:
                train, infer = model_speed(name, channels_last, args)
                lines.append(f"RESULT {name}\t{variant}\t{train:.1f}\t{infer:.1f}")
            return lines
        case ["layer", c, k, side, stride]:
            shape = (int(c), int(k), int(side), int(stride))
            f, x, w = layer_speed(shape, args)
            return [f"LAYER {c}->{k} {side}x{side} s{stride}\tpytorch\t{f:.1f}\t{x:.1f}\t{w:.1f}"]
        case _:
            return [f"ERROR unknown request {request.strip()!r}"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--batch", type=int, default=128)
    args = parser.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(os.cpu_count() or 1)
    print("READY", flush=True)
    for request in sys.stdin:
        if request.strip():
            print("\n".join(answer(request, args) + ["END"]), flush=True)


if __name__ == "__main__":
    main()

//! ResNet-20 (He et al., option-A shortcuts) written in plain burn, without kiln's types: the
//! bench's measure of what kiln's typed layers cost over burn itself.

use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, Linear, LinearConfig, PaddingConfig2d};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor, s};
use kiln::burn;

/// conv 3×3 (no bias) → batch norm → relu → conv 3×3 → batch norm, plus the shortcut.
#[derive(Module, Debug)]
pub struct Block {
    conv1: Conv2d,
    bn1: BatchNorm,
    conv2: Conv2d,
    bn2: BatchNorm,
    #[module(skip)]
    stride: usize,
    #[module(skip)]
    extra_depth: usize,
}

fn conv3x3(c: usize, k: usize, stride: usize, device: &Device) -> Conv2d {
    Conv2dConfig::new([c, k], [3, 3])
        .with_stride([stride, stride])
        .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
        .with_bias(false)
        .init(device)
}

impl Block {
    fn new(c: usize, k: usize, stride: usize, device: &Device) -> Self {
        Self {
            conv1: conv3x3(c, k, stride, device),
            bn1: BatchNormConfig::new(k).init(device),
            conv2: conv3x3(k, k, 1, device),
            bn2: BatchNormConfig::new(k).init(device),
            stride,
            extra_depth: k - c,
        }
    }

    fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let out = relu(self.bn1.forward(self.conv1.forward(x.clone())));
        let out = self.bn2.forward(self.conv2.forward(out));
        let mut shortcut = x;
        if self.stride != 1 {
            let step = self.stride as isize;
            shortcut = shortcut.slice(s![.., .., ..;step, ..;step]);
        }
        if self.extra_depth > 0 {
            let [batch, _, h, w] = shortcut.dims();
            let zeros = Tensor::zeros([batch, self.extra_depth, h, w], &shortcut.device());
            shortcut = Tensor::cat(vec![shortcut, zeros], 1);
        }
        relu(out + shortcut)
    }
}

/// ResNet-20 for `D`-deep `SIDE`×`SIDE` inputs and 10 classes.
#[derive(Module, Debug)]
pub struct PlainResNet20<const D: usize, const SIDE: usize> {
    conv1: Conv2d,
    bn1: BatchNorm,
    blocks: Vec<Block>,
    fc: Linear,
}

impl<const D: usize, const SIDE: usize> super::measure::Bench for PlainResNet20<D, SIDE> {
    const INPUT: [usize; 3] = [SIDE, SIDE, D];

    fn create(device: &Device) -> Self {
        let mut blocks = Vec::new();
        let mut depth = 16;
        for width in [16, 32, 64] {
            for i in 0..3 {
                let stride = if i == 0 && width != depth { 2 } else { 1 };
                blocks.push(Block::new(depth, width, stride, device));
                depth = width;
            }
        }
        Self {
            conv1: conv3x3(D, 16, 1, device),
            bn1: BatchNormConfig::new(16).init(device),
            blocks,
            fc: LinearConfig::new(64, 10).init(device),
        }
    }

    fn logits(&self, images: Tensor<4>) -> Tensor<2> {
        let mut x = relu(self.bn1.forward(self.conv1.forward(images)));
        for block in &self.blocks {
            x = block.forward(x);
        }
        let [batch, depth, _, _] = x.dims();
        self.fc
            .forward(x.mean_dim(3).mean_dim(2).reshape([batch, depth]))
    }
}

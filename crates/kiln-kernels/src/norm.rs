//! Batch normalisation over the channels of contiguous NCHW `f32` slices, fused: the training
//! forward reads the input twice (statistics, then the normalised output) and the backward
//! twice (per-channel sums, then the input gradient), where burn's composition makes about
//! ten allocating passes each way. A ReLU after the normalisation can be fused in: applied as
//! each value is written, and its gradient mask recomputed from the input within the same two
//! backward passes. Each plane is summed in 16 `f32` lanes (vectorised), and the planes' sums
//! in `f64`.

use rayon::prelude::*;

use crate::activation;
use crate::wide::{map_pairs, widest};

/// The sizes of a batch-normalised tensor: `[batch, channels, pixels]` with pixels = H·W.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NormShape {
    /// Images in the batch.
    pub batch: usize,
    /// Channels, each normalised on its own.
    pub channels: usize,
    /// Values per channel and image (H·W).
    pub pixels: usize,
}

impl NormShape {
    /// The shape of an `[N, C, …]` tensor.
    pub fn of(dims: &[usize]) -> Self {
        Self {
            batch: dims[0],
            channels: dims[1],
            pixels: dims[2..].iter().product(),
        }
    }

    /// Values per channel over the batch: N·H·W.
    pub fn per_channel(&self) -> usize {
        self.batch * self.pixels
    }

    fn len(&self) -> usize {
        self.batch * self.channels * self.pixels
    }

    /// The planes (one image, one channel) of channel `c` in `data`.
    fn planes<'a>(&self, data: &'a [f32], c: usize) -> impl Iterator<Item = &'a [f32]> {
        (0..self.batch).map(move |n| &data[(n * self.channels + c) * self.pixels..][..self.pixels])
    }
}

/// Per channel, `f(channel) → value`, in parallel.
fn map_channels<T: Send>(shape: NormShape, f: impl Fn(usize) -> T + Sync + Send) -> Vec<T> {
    (0..shape.channels).into_par_iter().map(f).collect()
}

/// `out[i] = element(channel)(first[i], second[i])` over every plane, in parallel over planes
/// ([`map_pairs`]).
///
/// # Panics
/// When `first` or `second` does not hold `shape`'s elements.
fn map_planes<F: Fn(f32, f32) -> f32>(
    shape: NormShape,
    first: &[f32],
    second: &[f32],
    element: impl Fn(usize) -> F + Sync,
) -> Vec<f32> {
    let len = shape.len();
    assert!(
        first.len() == len && second.len() == len,
        "batch norm: operand sizes"
    );
    map_pairs(first, second, shape.pixels, |plane| {
        element(plane % shape.channels)
    })
}

/// Lanes of the partial sums: four registers of independent accumulators on AVX-512 (eight
/// on AVX2, sixteen on SSE), so the sum vectorises without reordering any lane's additions
/// and four adds are in flight (one AVX-512 register of lanes was one chain of dependent
/// adds, and batch norm's statistics and backward sums held 8.6 % of a ResNet-20 training
/// step's samples). Every instruction set adds the same values in the same order: the sums
/// do not depend on the CPU's vector width.
const LANES: usize = 64;

/// Adds the `K` sums `Σ f(u, v)[k]` over pairs of `first` and `second` to `lanes`: in
/// `LANES` `f32` lanes each (one plane is a few dozen values per lane at most), added to `f64`
/// lanes, so that no plane ends in a sum across lanes (a chain of dependent adds longer than a
/// 7×7 plane's arithmetic); the values past the last whole group of lanes go to its first
/// lanes. Each sum calls `f` for its own term (inlined, the others' are dropped), so that
/// each is one vector loop.
#[inline(always)]
fn lane_sums<const K: usize>(
    first: &[f32],
    second: &[f32],
    f: impl Fn(f32, f32) -> [f32; K],
    lanes: &mut [[f64; LANES]; K],
) {
    let ((a, a_left), (b, b_left)) = (first.as_chunks::<LANES>(), second.as_chunks::<LANES>());
    for (k, wide) in lanes.iter_mut().enumerate() {
        let mut narrow = [0.0f32; LANES];
        for (a, b) in a.iter().zip(b) {
            for ((lane, &u), &v) in narrow.iter_mut().zip(a).zip(b) {
                *lane += f(u, v)[k];
            }
        }
        for ((lane, &u), &v) in narrow.iter_mut().zip(a_left).zip(b_left) {
            *lane += f(u, v)[k];
        }
        for (wide, narrow) in wide.iter_mut().zip(narrow) {
            *wide += narrow as f64;
        }
    }
}

/// The `K` sums `Σ f(u, v)[k]` over the pairs of `planes` (each plane summed in `f32` lanes,
/// the planes' sums in `f64`), in the widest vector registers the CPU has ([`widest`]).
fn sums<'a, const K: usize>(
    planes: impl Iterator<Item = (&'a [f32], &'a [f32])>,
    f: impl Fn(f32, f32) -> [f32; K] + Copy,
) -> [f64; K] {
    widest(
        #[inline(always)]
        || {
            let mut lanes = [[0.0; LANES]; K];
            for (u, v) in planes {
                lane_sums(u, v, f, &mut lanes);
            }
            lanes.map(|lanes| lanes.iter().sum::<f64>())
        },
    )
}

/// The `K` sums `Σ f(u, v)[k]` over the planes of channel `c` of `first` and `second`.
fn channel_sums<const K: usize>(
    shape: NormShape,
    first: &[f32],
    second: &[f32],
    c: usize,
    f: impl Fn(f32, f32) -> [f32; K] + Copy,
) -> [f64; K] {
    sums(shape.planes(first, c).zip(shape.planes(second, c)), f)
}

/// Training-mode batch norm: normalises each channel with the batch's mean and biased
/// variance, then scales by `gamma` and shifts by `beta`, and with `relu` applies ReLU in the
/// same pass. Returns the output, the mean and the biased variance (what burn feeds its
/// running statistics).
///
/// # Shapes
/// - `x`: `[batch, channels, …]` as `shape`; `gamma`, `beta`: `[channels]`
/// - returns `([batch, channels, …], [channels], [channels])`
pub fn train_forward(
    shape: NormShape,
    x: &[f32],
    [gamma, beta]: [&[f32]; 2],
    epsilon: f64,
    relu: bool,
) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    assert_eq!(x.len(), shape.len(), "batch norm: input size");
    let count = shape.per_channel() as f64;
    // One pass for both moments, about a shift k near the mean (the mean of the channel's
    // first plane), so that Σ(x − k)² does not swallow the variance: var = E[(x − k)²] −
    // (mean − k)². A second pass over the centred values cost a quarter of the forward.
    let stats = map_channels(shape, |c| {
        let first = shape.planes(x, c).next().unwrap_or_default();
        let k = (sums(std::iter::once((first, first)), |v, _| [v])[0] / first.len().max(1) as f64)
            as f32;
        let [sum, sq] = channel_sums(shape, x, x, c, |v, _| [v - k, (v - k) * (v - k)]);
        let shift = sum / count;
        (k as f64 + shift, (sq / count - shift * shift).max(0.0))
    });
    let mean: Vec<f32> = stats.iter().map(|s| s.0 as f32).collect();
    let var: Vec<f32> = stats.iter().map(|s| s.1 as f32).collect();
    let map = scale_shift([gamma, beta, &mean, &var], epsilon);
    (affine(shape, x, &map, relu), mean, var)
}

/// Inference-mode batch norm with the given (running) statistics, with `relu` followed by
/// ReLU in the same pass.
///
/// # Shapes
/// - `x`: `[batch, channels, …]` as `shape`; `gamma`, `beta`, `mean`, `var`: `[channels]`
/// - returns `[batch, channels, …]`
pub fn inference(
    shape: NormShape,
    x: &[f32],
    stats: [&[f32]; 4],
    epsilon: f64,
    relu: bool,
) -> Vec<f32> {
    assert_eq!(x.len(), shape.len(), "batch norm: input size");
    affine(shape, x, &scale_shift(stats, epsilon), relu)
}

/// Per channel `[a, c]` of the map `y = a·x + c` = (x − mean)/√(var + ε)·γ + β, from
/// `[gamma, beta, mean, var]`. Training passes the `f32` statistics it returns, so its
/// backward pass can rebuild the very same map.
fn scale_shift(stats: [&[f32]; 4], epsilon: f64) -> Vec<[f32; 2]> {
    let [scale, shift] = folded(None, stats, epsilon);
    scale.into_iter().zip(shift).map(|(a, c)| [a, c]).collect()
}

/// The per channel `[scale, shift]` of inference-mode batch norm with `stats = [gamma, beta,
/// mean, var]` applied to the output of a layer with `bias`: `scale = γ/√(var + ε)`, `shift =
/// β + (bias − mean)·scale`, computed in `f64`. What a convolution folds into its sums.
///
/// # Shapes
/// - `bias` and every statistic: `[channels]`; returns two `[channels]`
pub fn folded(
    bias: Option<&[f32]>,
    [gamma, beta, mean, var]: [&[f32]; 4],
    epsilon: f64,
) -> [Vec<f32>; 2] {
    let (scale, shift) = (0..gamma.len())
        .map(|c| {
            let scale = gamma[c] as f64 / (var[c] as f64 + epsilon).sqrt();
            let bias = bias.map_or(0.0, |b| b[c] as f64);
            let shift = beta[c] as f64 + (bias - mean[c] as f64) * scale;
            (scale as f32, shift as f32)
        })
        .unzip();
    [scale, shift]
}

/// The normalised value of `x` under its channel's map `[a, c]`: one multiply-add, shared by
/// the forward pass and the fused ReLU's backward pass so that both see the same value.
fn normalised([a, c]: [f32; 2], x: f32) -> f32 {
    a * x + c
}

/// `map` applied to every value of its channel, followed by ReLU with `relu`.
fn affine(shape: NormShape, x: &[f32], map: &[[f32; 2]], relu: bool) -> Vec<f32> {
    if relu {
        affine_then(shape, x, map, activation::relu_of)
    } else {
        affine_then(shape, x, map, |y| y)
    }
}

/// `finish` of `map` applied to every value of its channel (one monomorphic loop per `finish`).
fn affine_then(
    shape: NormShape,
    x: &[f32],
    map: &[[f32; 2]],
    finish: impl Fn(f32) -> f32 + Copy + Sync,
) -> Vec<f32> {
    map_planes(shape, x, x, |c| {
        let k = map[c];
        move |x, _| finish(normalised(k, x))
    })
}

/// Gradients of training-mode batch norm (followed by ReLU with `relu`) with respect to its
/// input, `gamma` and `beta`. With `relu`, the incoming gradient is dropped where the
/// normalised value, rebuilt from the returned statistics exactly as the forward pass computed
/// it, did not pass the ReLU.
///
/// # Shapes
/// - `x`, `grad`: `[batch, channels, …]` as `shape`; `gamma`, `beta`, `mean`, `var`:
///   `[channels]`
/// - returns `([batch, channels, …], [channels], [channels])`
pub fn train_backward(
    shape: NormShape,
    x: &[f32],
    grad: &[f32],
    stats: [&[f32]; 4],
    epsilon: f64,
    relu: bool,
) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    assert_eq!(x.len(), shape.len(), "batch norm backward: input size");
    assert_eq!(
        grad.len(),
        shape.len(),
        "batch norm backward: gradient size"
    );
    if relu {
        let map = scale_shift(stats, epsilon);
        gated_backward(shape, x, grad, stats, epsilon, |c| {
            let k = map[c];
            move |dy, x| {
                if activation::passes(normalised(k, x)) {
                    dy
                } else {
                    0.0
                }
            }
        })
    } else {
        gated_backward(shape, x, grad, stats, epsilon, |_| |dy, _| dy)
    }
}

/// Batch norm's gradients for the incoming gradient `gate(channel)(dy, x)`.
fn gated_backward<G: Fn(f32, f32) -> f32 + Copy>(
    shape: NormShape,
    x: &[f32],
    grad: &[f32],
    [gamma, _, mean, var]: [&[f32]; 4],
    epsilon: f64,
    gate: impl Fn(usize) -> G + Sync,
) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    let inv_std: Vec<f64> = var
        .iter()
        .map(|&v| 1.0 / (v as f64 + epsilon).sqrt())
        .collect();
    // Per channel: Σ dy (β's gradient) and Σ dy·x̂ (γ's gradient).
    let sums = map_channels(shape, |c| {
        let (m, gate) = (mean[c], gate(c));
        let [sum_dy, sum_dy_centred] = channel_sums(shape, grad, x, c, move |dy, x| {
            let dy = gate(dy, x);
            [dy, dy * (x - m)]
        });
        (sum_dy, sum_dy_centred * inv_std[c])
    });
    let count = shape.per_channel() as f64;
    // dx = γ/σ · (dy − Σdy/M − x̂·Σ(dy·x̂)/M) = a·dy + b·x + c per channel.
    let coefficients: Vec<[f32; 3]> = (0..shape.channels)
        .map(|c| {
            let (sum_dy, sum_dy_xhat) = sums[c];
            let k = gamma[c] as f64 * inv_std[c];
            let slope = sum_dy_xhat / count * inv_std[c];
            let a = k;
            let b = -k * slope;
            let offset = -k * (sum_dy / count) + k * slope * mean[c] as f64;
            [a as f32, b as f32, offset as f32]
        })
        .collect();
    let dx = map_planes(shape, grad, x, |c| {
        let ([a, b, offset], gate) = (coefficients[c], gate(c));
        move |dy, x| a * gate(dy, x) + b * x + offset
    });
    let dgamma = sums.iter().map(|s| s.1 as f32).collect();
    let dbeta = sums.iter().map(|s| s.0 as f32).collect();
    (dx, dgamma, dbeta)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-pass moments against a two-pass f64 reference, on channels whose mean (1000,
    /// then −50) is large against their spread (0.01) and whose images differ in level: the
    /// case where Σx² − (Σx)²/N loses every digit of the variance in f32.
    #[test]
    fn statistics_survive_a_large_mean() {
        let shape = NormShape {
            batch: 3,
            channels: 2,
            pixels: 37,
        };
        let x: Vec<f32> = (0..shape.len())
            .map(|i| {
                let (image, channel) = (i / (2 * 37), i / 37 % 2);
                let level = [1000.0, -50.0][channel] + image as f32 * 0.02;
                level + 0.01 * (((i * 7) % 11) as f32 - 5.0) / 5.0
            })
            .collect();
        let (_, mean, var) = train_forward(shape, &x, [&[1.0; 2], &[0.0; 2]], 1e-5, false);
        for c in 0..2 {
            let values: Vec<f64> = shape.planes(&x, c).flatten().map(|&v| v as f64).collect();
            let m = values.iter().sum::<f64>() / values.len() as f64;
            let v = values.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / values.len() as f64;
            assert!(
                (mean[c] as f64 - m).abs() < 1e-4 * m.abs(),
                "mean {c}: {} vs {m}",
                mean[c]
            );
            assert!(
                (var[c] as f64 - v).abs() < 1e-2 * v,
                "var {c}: {} vs {v}",
                var[c]
            );
        }
    }
}

//! Direct convolution: no column matrix, only one zero-padded copy of each image.
//!
//! With every input plane padded to `row` columns, output pixel (y, x) sits at `q = y·row + x`
//! and filter tap (kh, kw) reads position `q + kh·dh·row + kw·dw` of its channel's plane: a
//! convolution becomes a product whose right-hand matrix is the padded image read at a few
//! fixed offsets, computed in register tiles ([`Tiles`]) straight from it. The positions
//! `x ≥ out_w` of each row are computed too and dropped (2 of 30 columns at 28×28 with a
//! 3×3 filter).
//!
//! A strided convolution is first split into phases: with stride (sh, sw), the padded pixel
//! (sh·i + a, sw·j + b) goes to position (i, j) of phase plane (a, b), so tap (kh, kw) of output
//! pixel (y, x) reads phase (kh·dh mod sh, kw·dw mod sw) at `q + (kh·dh / sh)·row + kw·dw / sw`:
//! again one fixed offset per tap, and the same tiles compute it (phase planes of 15×15 for a
//! stride-2 convolution of a padded 30×30 image).
//!
//! - forward: `Y = W ⋆ X`;
//! - input gradient: each phase of the padded input's gradient is a stride-1 convolution of
//!   the output gradient with that phase's taps flipped and their depths swapped
//!   ([`input_grad`]);
//! - weight gradient: `dW[m, c, t] = Σ_q dY[m, q] · X[c, q + offset(t)]`, a dot product along
//!   the padded rows, summed over the batch.

use rayon::prelude::*;

mod broadcast;
mod frame;
mod prefetch;
mod scratch;
mod transposed;

use super::simd::{MR, Simd, TAPS, TileJob, Tiles};
use super::{ConvGeometry, Epilogue};
use broadcast::Packed;
use frame::Frame;
use prefetch::Prefetch;
use scratch::Scratch;
pub use transposed::input_grad;

/// Products per output of an input-gradient phase below which a tile spends more on its
/// stores than on its arithmetic, and gemm's lowered product is faster.
const MIN_PATCH: usize = 32;

/// Products per output below which the forward pass goes to gemm's lowered product. The
/// 1-channel 3×3 stem (9) is faster in direct tiles: 47–52 against gemm's 31–47 GFLOP/s in
/// six alternating runs on a Zen 2 (AVX2), where PyTorch reads 38–47. Fewer is not measured
/// and stays with gemm.
const MIN_FORWARD_PATCH: usize = 9;

/// Source floats a forward strip keeps in the L1 data cache: half of its 32 KiB on the x86
/// CPUs kiln targets, the rest for the weights and the tile's output.
const L1_FLOATS: usize = 4096;

/// Whether the direct kernels compute the weight gradient of `g`: a convolution that is not a
/// plain or subsampled matrix product (1×1, unpadded), whose filter fits its padded input and
/// whose taps reach every phase of its stride (`stride ≤ d·(F − 1) + 1` on each axis).
pub fn serves(g: &ConvGeometry) -> bool {
    let [top, bottom, left, right] = g.padding;
    let fits = |len: usize, pad: usize, filter: usize, dilation: usize| {
        len + pad > dilation * (filter - 1)
    };
    let phases = |stride: usize, filter: usize, dilation: usize| {
        (1..=dilation * (filter - 1) + 1).contains(&stride)
    };
    phases(g.stride[0], g.kernel_h, g.dilation[0])
        && phases(g.stride[1], g.kernel_w, g.dilation[1])
        && !g.is_pointwise()
        && fits(g.in_h, top + bottom, g.kernel_h, g.dilation[0])
        && fits(g.in_w, left + right, g.kernel_w, g.dilation[1])
}

/// Whether the direct kernels compute the forward pass of `g`: [`serves`], with at least 9
/// products per output.
pub fn serves_forward(g: &ConvGeometry) -> bool {
    serves(g) && g.patch_len() >= MIN_FORWARD_PATCH
}

/// Whether the direct kernels compute the input gradient of `g`: [`serves`], with at least 32
/// products per output in each phase's transposed convolution (about `out_channels · taps /
/// (sh · sw)`).
pub fn serves_input_grad(g: &ConvGeometry) -> bool {
    serves(g) && g.out_channels * g.kernel_h * g.kernel_w >= MIN_PATCH * g.stride[0] * g.stride[1]
}

/// Forward convolution, each sum written through `epilogue`, for geometries [`serves`]
/// accepts (it is faster than the lowered path where [`serves_forward`] holds).
///
/// # Shapes
/// - `x`: `[batch, in_channels, in_h, in_w]`, `weight`: `[out_channels, in_channels, kh, kw]`,
///   the epilogue's `scale` and `shift`: `[out_channels]`
/// - returns `[batch, out_channels, out_h, out_w]`
///
/// # Panics
/// When `serves(g)` is false or an operand's size differs from `g`'s.
pub fn forward(
    simd: Simd,
    g: &ConvGeometry,
    x: &[f32],
    weight: &[f32],
    epilogue: Epilogue<'_>,
) -> Vec<f32> {
    simd.run(
        g.out_channels,
        tile_span(g),
        Forward {
            g,
            x,
            weight,
            epilogue,
        },
    )
}

/// The operands of [`forward`], run by [`Simd::run`] in its tile shape.
struct Forward<'a> {
    g: &'a ConvGeometry,
    x: &'a [f32],
    weight: &'a [f32],
    epilogue: Epilogue<'a>,
}

impl TileJob for Forward<'_> {
    type Output = Vec<f32>;

    fn run<S: Tiles, const R: usize, const NV: usize>(self, simd: S) -> Vec<f32> {
        forward_in::<S, R, NV>(simd, self.g, self.x, self.weight, self.epilogue)
    }
}

/// Computes `staged = packed ⋆ source` in tiles of `R` output channels × `NV` registers of
/// pixels: row `m` of `staged` (`width` positions, a multiple of `S::LANES·NV`) gets
/// `Σ_c Σ_t w[m, c, t] · source[c·plane + offsets[t] + q]` for every position `q` (for the
/// output pixels only, in broadcast tiles, when the weights were packed for those).
///
/// # Shapes
/// - `packed`: weights of `patch = channels · offsets.len()` per output channel, packed by
///   [`Packed::new`] for `S` and `R`
/// - `source`: `channels` planes `plane` apart, readable to `width + max(offsets)` past the
///   last one's start
/// - `staged`: resized to one row of `width` per packed output channel
/// - `upcoming`: what the next call will read (the next image), prefetched between tiles
#[allow(clippy::too_many_arguments)]
fn tiles<S: Tiles, const R: usize, const NV: usize>(
    simd: S,
    packed: &Packed,
    patch: usize,
    source: &[f32],
    plane: usize,
    offsets: &[usize],
    staged: &mut Vec<f32>,
    width: usize,
    upcoming: &[f32],
) {
    let packed = match packed {
        Packed::Positions(packed) => packed,
        Packed::Broadcast {
            packed,
            pixels,
            bases,
        } => {
            return broadcast::tiles(simd, packed, pixels, bases, source, staged, width, upcoming);
        }
    };
    let tile = NV * S::LANES;
    let blocks = packed.len() / patch / R;
    staged.resize(blocks * R * width, 0.0);
    let mut prefetch = Prefetch::new(upcoming, blocks * width / tile);
    let channels = patch / offsets.len();
    // A strip of positions at a time, narrow enough that its source rows (the strip and the
    // taps' reach past it, in every channel) stay in the L1 cache while every block of output
    // channels reads them: streaming the whole image from L2 once per block was slower.
    let reach = offsets.iter().copied().max().unwrap_or(0);
    let strip = (L1_FLOATS / channels)
        .saturating_sub(reach)
        .max(tile)
        .next_multiple_of(tile);
    for start in (0..width).step_by(strip) {
        let blocks = packed
            .chunks_exact(patch * R)
            .zip(staged.chunks_exact_mut(R * width));
        for (w, rows) in blocks {
            for q in (start..width.min(start + strip)).step_by(tile) {
                simd.forward_tile::<R, NV>(
                    w,
                    &source[q..],
                    plane,
                    offsets,
                    channels,
                    &mut rows[q..],
                    width,
                );
                prefetch.step();
            }
        }
    }
}

/// Floats per image of `g`'s input and output, after checking that the direct kernels serve
/// `g` and that `x` holds its input.
///
/// # Panics
/// When `serves(g)` is false or `x`'s size differs from `g`'s input.
fn image_lens(g: &ConvGeometry, x: &[f32]) -> (usize, usize) {
    assert!(serves(g), "direct conv: not a geometry it serves: {g:?}");
    let (in_len, out_len) = (
        g.in_channels * g.in_pixels(),
        g.out_channels * g.out_pixels(),
    );
    assert_eq!(x.len(), g.batch * in_len, "direct conv: input size");
    (in_len, out_len)
}

/// The positions per plane that the tiles of `g`'s forward pass and input gradient compute,
/// for [`Simd::run`] to pick a tile width by; 0 for a strided convolution, whose phase planes
/// ran slower in AVX-512's wider tile even where the rounding costs little (0.79–0.92× at
/// 14×14 per phase, alternating runs).
fn tile_span(g: &ConvGeometry) -> usize {
    if g.stride == [1, 1] {
        (g.out_h() - 1) * Frame::of(g, 1).row + g.out_w()
    } else {
        0
    }
}

/// The forward pass's weights, [`Packed`] for `S`'s tiles of `R` channels on `frame`.
fn forward_packed<S: Tiles, const R: usize>(
    g: &ConvGeometry,
    frame: &Frame,
    weight: &[f32],
) -> Packed {
    Packed::new::<S, R>(
        weight,
        [g.out_channels, g.patch_len()],
        frame.width,
        [g.out_h(), g.out_w(), frame.row],
        (frame.plane, &frame.offsets),
    )
}

/// Which of `g`'s passes (forward, input gradient, weight gradient) the direct kernels run on
/// `simd` in broadcast tiles, channels in the lanes (for small maps), rather than in tiles of
/// consecutive positions.
///
/// # Panics
/// When `serves(g)` is false.
pub fn broadcasts(simd: Simd, g: &ConvGeometry) -> [bool; 3] {
    assert!(serves(g), "direct conv: not a geometry it serves: {g:?}");
    simd.run(g.out_channels, tile_span(g), Broadcasts(g))
}

/// The question of [`broadcasts`], answered by [`Simd::run`] in its tile shape.
struct Broadcasts<'a>(&'a ConvGeometry);

impl TileJob for Broadcasts<'_> {
    type Output = [bool; 3];

    fn run<S: Tiles, const R: usize, const NV: usize>(self, _simd: S) -> [bool; 3] {
        let g = self.0;
        let zeros = vec![0.0; g.out_channels * g.patch_len()];
        let forward = forward_packed::<S, R>(g, &Frame::of(g, NV * S::LANES), &zeros);
        [
            matches!(forward, Packed::Broadcast { .. }),
            transposed::broadcasts::<S, R>(g, &zeros, NV * S::LANES),
            broadcast::pays_weight_grad::<S>(g, &Frame::of(g, S::LANES)),
        ]
    }
}

/// [`forward`] in tiles of `R` output channels × `NV` registers of pixels.
fn forward_in<S: Tiles, const R: usize, const NV: usize>(
    simd: S,
    g: &ConvGeometry,
    x: &[f32],
    weight: &[f32],
    epilogue: Epilogue<'_>,
) -> Vec<f32> {
    let (in_len, out_len) = image_lens(g, x);
    assert_eq!(
        weight.len(),
        g.out_channels * g.patch_len(),
        "direct conv: weight size"
    );
    epilogue.check(g.out_channels);
    let frame = Frame::of(g, NV * S::LANES);
    let packed = forward_packed::<S, R>(g, &frame, weight);
    // The output is written once, by `unstage`, without zero-filling it first: a forward
    // pass's output is megabytes, and memset took 4 % of a ResNet-20 training profile.
    let len = g.batch * out_len;
    let mut out = Vec::with_capacity(len);
    let written: usize = out.spare_capacity_mut()[..len]
        .par_chunks_mut(out_len)
        .zip(x.par_chunks(in_len))
        .enumerate()
        .map_init(
            || Scratch::zeroed(frame.padded_len(g.in_channels), 0),
            |scratch, (n, (y, image))| {
                frame.pad(g, image, &mut scratch.source);
                tiles::<S, R, NV>(
                    simd,
                    &packed,
                    g.patch_len(),
                    &scratch.source,
                    frame.plane,
                    &frame.offsets,
                    &mut scratch.staged,
                    frame.width,
                    x.chunks(in_len).nth(n + 1).unwrap_or_default(),
                );
                frame.unstage(g, &scratch.staged, epilogue, y)
            },
        )
        .sum();
    assert_eq!(written, len, "direct conv: output not fully written");
    // SAFETY: `unstage` initialised `written` elements of the spare capacity (one write per
    // element of each chunk, counted as they are made), and `written == len` was asserted.
    unsafe { out.set_len(len) };
    out
}

/// Gradient of the loss with respect to the weight, summed over the batch, for geometries
/// [`serves`] accepts. As in the lowered path, each thread sums its share of the images and
/// the partial sums are added in order, so the result does not depend on scheduling. A tile
/// sums a few images in its registers before reducing them, since a small map's plane is only
/// a few registers long: as many as keep the tile's [`MR`] output-gradient rows of them in
/// the L1 cache while every input channel and tap reads them (they came from L2 each time when
/// sized to L2).
///
/// # Shapes
/// - `x`: `[batch, in_channels, in_h, in_w]`, `grad`: `[batch, out_channels, out_h, out_w]`
/// - returns `[out_channels, in_channels, kh, kw]`
///
/// # Panics
/// When `serves(g)` is false or an operand's size differs from `g`'s.
pub fn weight_grad(simd: Simd, g: &ConvGeometry, x: &[f32], grad: &[f32]) -> Vec<f32> {
    match simd {
        Simd::Avx512(s) => weight_grad_in(s, g, x, grad),
        Simd::Avx2(s) => weight_grad_in(s, g, x, grad),
    }
}

/// [`weight_grad`] in `S`'s tiles.
fn weight_grad_in<S: Tiles>(simd: S, g: &ConvGeometry, x: &[f32], grad: &[f32]) -> Vec<f32> {
    let (in_len, out_len) = image_lens(g, x);
    assert_eq!(grad.len(), g.batch * out_len, "direct conv: gradient size");
    let frame = Frame::of(g, S::LANES);
    if broadcast::pays_weight_grad::<S>(g, &frame) {
        return broadcast::weight_grad(simd, g, &frame, [x, grad], [in_len, out_len]);
    }
    let taps = frame.offsets.len();
    // Taps in groups of TAPS; a short last group repeats offset 0 and its sums are dropped.
    let groups: Vec<[usize; TAPS]> = frame
        .offsets
        .chunks(TAPS)
        .map(|chunk| std::array::from_fn(|t| chunk.get(t).copied().unwrap_or(0)))
        .collect();
    let (patch, vectors) = (g.patch_len(), frame.width / S::LANES);
    let source_len = frame.padded_len(g.in_channels);
    let staged_len = g.out_channels.next_multiple_of(MR) * frame.width;
    let together = (L1_FLOATS / (MR * frame.width)).clamp(1, 16);
    let per_thread = g.batch.div_ceil(rayon::current_num_threads()).max(1);
    let parts = x
        .par_chunks(per_thread * in_len)
        .zip(grad.par_chunks(per_thread * out_len))
        .map(|(images, grads)| {
            let mut dw = vec![0.0; g.out_channels * patch];
            let n = together.min(images.len() / in_len);
            let Scratch { source, staged } = &mut Scratch::zeroed(n * source_len, n * staged_len);
            let (image_sets, grad_sets) = (
                images.chunks(together * in_len),
                grads.chunks(together * out_len),
            );
            let calls = staged_len / (MR * frame.width) * g.in_channels * groups.len();
            for (k, (images, grads)) in image_sets.clone().zip(grad_sets.clone()).enumerate() {
                let n = images.len() / in_len;
                let mut upcoming = [
                    Prefetch::new(image_sets.clone().nth(k + 1).unwrap_or_default(), calls),
                    Prefetch::new(grad_sets.clone().nth(k + 1).unwrap_or_default(), calls),
                ];
                let pairs = images.chunks(in_len).zip(grads.chunks(out_len));
                for (i, (image, dy)) in pairs.enumerate() {
                    frame.pad(g, image, &mut source[i * source_len..][..source_len]);
                    frame.stage(g, dy, &mut staged[i * staged_len..][..staged_len]);
                }
                let strides = [staged_len, source_len];
                for block in 0..staged_len / (MR * frame.width) {
                    let dy_rows = &staged[block * MR * frame.width..];
                    for c in 0..g.in_channels {
                        let src = &source[c * frame.plane..];
                        for (i, offsets) in groups.iter().enumerate() {
                            let sums = simd.weight_tile(
                                dy_rows,
                                frame.width,
                                src,
                                strides,
                                *offsets,
                                vectors,
                                n,
                            );
                            upcoming.iter_mut().for_each(Prefetch::step);
                            for (r, sums) in sums.iter().enumerate() {
                                let m = block * MR + r;
                                if m >= g.out_channels {
                                    break;
                                }
                                let first = i * TAPS;
                                let dst = &mut dw[m * patch + c * taps + first..]
                                    [..TAPS.min(taps - first)];
                                for (d, s) in dst.iter_mut().zip(sums) {
                                    *d += s;
                                }
                            }
                        }
                    }
                }
            }
            dw
        })
        .collect();
    sum_in_order(parts, g.out_channels * patch)
}

/// The sum of the threads' partial weight gradients, added in order so that the result does
/// not depend on scheduling; `len` zeros for an empty batch.
fn sum_in_order(parts: Vec<Vec<f32>>, len: usize) -> Vec<f32> {
    parts
        .into_iter()
        .reduce(|mut a, b| {
            a.iter_mut().zip(&b).for_each(|(a, b)| *a += b);
            a
        })
        .unwrap_or_else(|| vec![0.0; len])
}

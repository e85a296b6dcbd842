//! Direct stride-1 convolution: no column matrix, only one zero-padded copy of each image.
//!
//! With every input plane padded to `row` columns, output pixel (y, x) sits at `q = y·row + x`
//! and filter tap (kh, kw) reads position `q + kh·dh·row + kw·dw` of its channel's plane: a
//! convolution becomes a product whose right-hand matrix is the padded image read at a few
//! fixed offsets, computed in register tiles ([`Avx2`]) straight from it. The positions
//! `x ≥ out_w` of each row are computed too and dropped (2 of 30 columns at 28×28 with a
//! 3×3 filter).
//!
//! - forward: `Y = W ⋆ X`;
//! - input gradient: for stride 1 it is itself a stride-1 convolution of the output gradient
//!   with the filters flipped and their depths swapped, padded by `d·(F − 1) − P` per side;
//! - weight gradient: `dW[m, c, t] = Σ_q dY[m, q] · X[c, q + offset(t)]`, a dot product along
//!   the padded rows, summed over the batch.

use std::cell::RefCell;

use rayon::prelude::*;

use super::ConvGeometry;
pub use super::avx2::Avx2;
use super::avx2::{LANES, MR, TAPS};

thread_local! {
    /// Each thread's padded image and staging rows, kept between calls.
    static BUFFERS: RefCell<(Vec<f32>, Vec<f32>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

/// Products per output below which a forward tile spends more on its stores than on its
/// arithmetic, and gemm's lowered product is faster (a 1-channel stem with a 3×3 filter has 9).
const MIN_PATCH: usize = 32;

/// Whether the direct kernels compute the weight gradient of `g`: a stride-1 convolution that
/// is not a plain matrix product (1×1, unpadded), whose filter fits its padded input.
pub fn serves(g: &ConvGeometry) -> bool {
    let [top, bottom, left, right] = g.padding;
    let fits = |len: usize, pad: usize, filter: usize, dilation: usize| {
        len + pad > dilation * (filter - 1)
    };
    g.stride == [1, 1]
        && !g.is_pointwise()
        && fits(g.in_h, top + bottom, g.kernel_h, g.dilation[0])
        && fits(g.in_w, left + right, g.kernel_w, g.dilation[1])
}

/// Whether the direct kernels compute the forward pass of `g`: [`serves`], with at least 32
/// products per output.
pub fn serves_forward(g: &ConvGeometry) -> bool {
    serves(g) && g.patch_len() >= MIN_PATCH
}

/// Whether the direct kernels compute the input gradient of `g`: [`serves`], no side is
/// padded by more than the filter's reach `d·(F − 1)` (the flipped convolution's padding),
/// and the flipped convolution has at least 32 products per output.
pub fn serves_input_grad(g: &ConvGeometry) -> bool {
    let [reach_h, reach_w] = [
        g.dilation[0] * (g.kernel_h - 1),
        g.dilation[1] * (g.kernel_w - 1),
    ];
    let [top, bottom, left, right] = g.padding;
    serves(g)
        && top.max(bottom) <= reach_h
        && left.max(right) <= reach_w
        && g.out_channels * g.kernel_h * g.kernel_w >= MIN_PATCH
}

/// Where a stride-1 convolution's taps read in the padded planes of one image.
#[derive(Debug)]
struct Frame {
    /// Padded width: columns per padded row.
    row: usize,
    /// Floats per padded plane.
    plane: usize,
    /// Each tap's offset from the output pixel's position, in the weight's (kh, kw) order.
    offsets: Vec<usize>,
    /// Positions computed per output plane, rounded up to whole tiles.
    width: usize,
}

impl Frame {
    /// The frame of `g`, computing `tile` positions (a multiple of 8) at a time.
    fn of(g: &ConvGeometry, tile: usize) -> Self {
        let row = g.in_w + g.padding[2] + g.padding[3];
        let plane = (g.in_h + g.padding[0] + g.padding[1]) * row;
        let mut offsets = Vec::with_capacity(g.kernel_h * g.kernel_w);
        for kh in 0..g.kernel_h {
            for kw in 0..g.kernel_w {
                offsets.push(kh * g.dilation[0] * row + kw * g.dilation[1]);
            }
        }
        let span = (g.out_h() - 1) * row + g.out_w();
        Self {
            row,
            plane,
            offsets,
            width: span.next_multiple_of(tile),
        }
    }

    /// Floats of one padded image of `channels` planes, with zeros after the last plane so
    /// that every tile's reads stay inside.
    fn padded_len(&self, channels: usize) -> usize {
        channels * self.plane + self.width + self.offsets.iter().copied().max().unwrap_or(0)
    }

    /// Writes `image` (`[channels, in_h, in_w]`) into the zeroed `dst` as padded planes.
    fn pad(&self, g: &ConvGeometry, image: &[f32], dst: &mut [f32]) {
        let first = g.padding[0] * self.row + g.padding[2];
        for (plane, src) in dst
            .chunks_exact_mut(self.plane)
            .zip(image.chunks_exact(g.in_pixels()))
        {
            for (y, src) in src.chunks_exact(g.in_w).enumerate() {
                plane[first + y * self.row..][..g.in_w].copy_from_slice(src);
            }
        }
    }

    /// Writes the output planes `dy` (`[channels, out_h, out_w]`) into the zeroed `dst` as
    /// rows of `width` positions (zero outside the output pixels).
    fn stage(&self, g: &ConvGeometry, dy: &[f32], dst: &mut [f32]) {
        let out_w = g.out_w();
        for (staged, src) in dst
            .chunks_exact_mut(self.width)
            .zip(dy.chunks_exact(g.out_pixels()))
        {
            for (y, src) in src.chunks_exact(out_w).enumerate() {
                staged[y * self.row..][..out_w].copy_from_slice(src);
            }
        }
    }

    /// Reads the output pixels of staged rows back into `out` (`[channels, out_h, out_w]`),
    /// adding each channel's bias.
    fn unstage(&self, g: &ConvGeometry, staged: &[f32], bias: Option<&[f32]>, out: &mut [f32]) {
        let out_w = g.out_w();
        for (m, (plane, staged)) in out
            .chunks_exact_mut(g.out_pixels())
            .zip(staged.chunks_exact(self.width))
            .enumerate()
        {
            let b = bias.map_or(0.0, |b| b[m]);
            for (y, dst) in plane.chunks_exact_mut(out_w).enumerate() {
                for (d, s) in dst.iter_mut().zip(&staged[y * self.row..]) {
                    *d = s + b;
                }
            }
        }
    }
}

/// The weights `[out_channels, patch]` regrouped into blocks of `rows` output channels, tap
/// by tap: `[blocks, patch, rows]`, zero past the last channel.
fn pack(weight: &[f32], out_channels: usize, patch: usize, rows: usize) -> Vec<f32> {
    let blocks = out_channels.div_ceil(rows);
    let mut packed = vec![0.0; blocks * patch * rows];
    for (m, filter) in weight.chunks_exact(patch).enumerate() {
        let block = &mut packed[(m / rows) * patch * rows..][..patch * rows];
        for (k, &v) in filter.iter().enumerate() {
            block[k * rows + m % rows] = v;
        }
    }
    packed
}

/// Forward convolution, for geometries [`serves`] accepts (it is faster than the lowered
/// path where [`serves_forward`] holds).
///
/// # Shapes
/// - `x`: `[batch, in_channels, in_h, in_w]`, `weight`: `[out_channels, in_channels, kh, kw]`,
///   `bias`: `[out_channels]`
/// - returns `[batch, out_channels, out_h, out_w]`
///
/// # Panics
/// When `serves(g)` is false or an operand's size differs from `g`'s.
pub fn forward(
    simd: Avx2,
    g: &ConvGeometry,
    x: &[f32],
    weight: &[f32],
    bias: Option<&[f32]>,
) -> Vec<f32> {
    // Six channels per tile use 15 of the 16 registers (12 sums, 2 pixel vectors, 1 weight)
    // and read less per FMA than four; a 4×3 tile would need all 16 and spills. Six is taken
    // where rounding the depth up to it wastes at most 5 % (64 → 66, not 16 → 18).
    if g.out_channels.next_multiple_of(6) * 20 <= g.out_channels * 21 {
        forward_in::<6, 2>(simd, g, x, weight, bias)
    } else {
        forward_in::<4, 2>(simd, g, x, weight, bias)
    }
}

/// [`forward`] in tiles of `R` output channels × `NV` registers of pixels.
fn forward_in<const R: usize, const NV: usize>(
    simd: Avx2,
    g: &ConvGeometry,
    x: &[f32],
    weight: &[f32],
    bias: Option<&[f32]>,
) -> Vec<f32> {
    assert!(
        serves(g),
        "direct conv: not a stride-1 geometry it serves: {g:?}"
    );
    let (in_len, out_len) = (
        g.in_channels * g.in_pixels(),
        g.out_channels * g.out_pixels(),
    );
    assert_eq!(x.len(), g.batch * in_len, "direct conv: input size");
    assert_eq!(
        weight.len(),
        g.out_channels * g.patch_len(),
        "direct conv: weight size"
    );
    assert!(
        bias.is_none_or(|b| b.len() == g.out_channels),
        "direct conv: bias size"
    );
    let tile = NV * LANES;
    let frame = Frame::of(g, tile);
    let packed = pack(weight, g.out_channels, g.patch_len(), R);
    let mut out = vec![0.0; g.batch * out_len];
    out.par_chunks_mut(out_len)
        .zip(x.par_chunks(in_len))
        .for_each(|(y, image)| {
            BUFFERS.with(|buffers| {
                let (source, staged) = &mut *buffers.borrow_mut();
                zeroed(source, frame.padded_len(g.in_channels));
                frame.pad(g, image, source);
                staged.resize(packed.len() / g.patch_len() * frame.width, 0.0);
                let blocks = packed
                    .chunks_exact(g.patch_len() * R)
                    .zip(staged.chunks_exact_mut(R * frame.width));
                for (w, rows) in blocks {
                    for q in (0..frame.width).step_by(tile) {
                        simd.forward_tile::<R, NV>(
                            w,
                            &source[q..],
                            frame.plane,
                            &frame.offsets,
                            g.in_channels,
                            &mut rows[q..],
                            frame.width,
                        );
                    }
                }
                frame.unstage(g, staged, bias, y);
            })
        });
    out
}

/// The stride-1 convolution whose forward pass is `g`'s input gradient: the output gradient
/// as input, padded by `d·(F − 1) − P` per side, with `in_channels` filters.
fn flipped(g: &ConvGeometry) -> ConvGeometry {
    let [reach_h, reach_w] = [
        g.dilation[0] * (g.kernel_h - 1),
        g.dilation[1] * (g.kernel_w - 1),
    ];
    let [top, bottom, left, right] = g.padding;
    ConvGeometry {
        batch: g.batch,
        in_channels: g.out_channels,
        in_h: g.out_h(),
        in_w: g.out_w(),
        out_channels: g.in_channels,
        kernel_h: g.kernel_h,
        kernel_w: g.kernel_w,
        stride: [1, 1],
        padding: [
            reach_h - top,
            reach_h - bottom,
            reach_w - left,
            reach_w - right,
        ],
        dilation: g.dilation,
    }
}

/// Gradient of the loss with respect to the input, for geometries [`serves_input_grad`]
/// accepts: the forward kernel on the flipped, depth-swapped filters.
///
/// # Shapes
/// - `weight`: `[out_channels, in_channels, kh, kw]`, `grad`: `[batch, out_channels, out_h, out_w]`
/// - returns `[batch, in_channels, in_h, in_w]`
///
/// # Panics
/// When `serves_input_grad(g)` is false or an operand's size differs from `g`'s.
pub fn input_grad(simd: Avx2, g: &ConvGeometry, weight: &[f32], grad: &[f32]) -> Vec<f32> {
    assert!(
        serves_input_grad(g),
        "direct conv: not an input gradient it serves: {g:?}"
    );
    assert_eq!(
        weight.len(),
        g.out_channels * g.patch_len(),
        "direct conv: weight size"
    );
    let taps = g.kernel_h * g.kernel_w;
    // w'[c][m][t] = w[m][c][T − 1 − t]: both filter axes reversed, depths swapped.
    let mut swapped = vec![0.0; weight.len()];
    for (m, filter) in weight.chunks_exact(g.patch_len()).enumerate() {
        for (c, taps_of) in filter.chunks_exact(taps).enumerate() {
            let dst = &mut swapped[(c * g.out_channels + m) * taps..][..taps];
            for (d, s) in dst.iter_mut().zip(taps_of.iter().rev()) {
                *d = *s;
            }
        }
    }
    forward(simd, &flipped(g), grad, &swapped, None)
}

/// Clears `buffer` to `len` zeros.
fn zeroed(buffer: &mut Vec<f32>, len: usize) {
    buffer.clear();
    buffer.resize(len, 0.0);
}

/// Gradient of the loss with respect to the weight, summed over the batch, for geometries
/// [`serves`] accepts. As in the lowered path, each thread sums its share of the images and
/// the partial sums are added in order, so the result does not depend on scheduling. A tile
/// sums a few images (about 256 KB of them) in its registers before reducing them, since a
/// small map's plane is only a few registers long.
///
/// # Shapes
/// - `x`: `[batch, in_channels, in_h, in_w]`, `grad`: `[batch, out_channels, out_h, out_w]`
/// - returns `[out_channels, in_channels, kh, kw]`
///
/// # Panics
/// When `serves(g)` is false or an operand's size differs from `g`'s.
pub fn weight_grad(simd: Avx2, g: &ConvGeometry, x: &[f32], grad: &[f32]) -> Vec<f32> {
    assert!(
        serves(g),
        "direct conv: not a stride-1 geometry it serves: {g:?}"
    );
    let (in_len, out_len) = (
        g.in_channels * g.in_pixels(),
        g.out_channels * g.out_pixels(),
    );
    assert_eq!(x.len(), g.batch * in_len, "direct conv: input size");
    assert_eq!(grad.len(), g.batch * out_len, "direct conv: gradient size");
    let frame = Frame::of(g, LANES);
    let taps = frame.offsets.len();
    // Taps in groups of TAPS; a short last group repeats offset 0 and its sums are dropped.
    let groups: Vec<[usize; TAPS]> = frame
        .offsets
        .chunks(TAPS)
        .map(|chunk| std::array::from_fn(|t| chunk.get(t).copied().unwrap_or(0)))
        .collect();
    let (patch, vectors) = (g.patch_len(), frame.width / LANES);
    let source_len = frame.padded_len(g.in_channels);
    let staged_len = g.out_channels.next_multiple_of(MR) * frame.width;
    let together = ((1 << 16) / (source_len + staged_len)).clamp(1, 8);
    let per_thread = g.batch.div_ceil(rayon::current_num_threads()).max(1);
    x.par_chunks(per_thread * in_len)
        .zip(grad.par_chunks(per_thread * out_len))
        .map(|(images, grads)| {
            let mut dw = vec![0.0; g.out_channels * patch];
            BUFFERS.with(|buffers| {
                let (source, staged) = &mut *buffers.borrow_mut();
                let sets = images
                    .chunks(together * in_len)
                    .zip(grads.chunks(together * out_len));
                for (images, grads) in sets {
                    let n = images.len() / in_len;
                    zeroed(source, n * source_len);
                    zeroed(staged, n * staged_len);
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
            });
            dw
        })
        .collect::<Vec<_>>()
        .into_iter()
        .reduce(|mut a, b| {
            a.iter_mut().zip(&b).for_each(|(a, b)| *a += b);
            a
        })
        .unwrap_or_else(|| vec![0.0; g.out_channels * patch])
}

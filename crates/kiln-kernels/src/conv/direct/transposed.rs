//! The input gradient of a direct convolution, phase by phase.
//!
//! The forward pass reads phase (a, b) of the padded input at `(y + u_t, x + v_t)` for each tap
//! `t` in that phase (see [`super`]), so the gradient of that phase is
//! `dXₐᵦ[c, i, j] = Σ_m Σ_t w[m, c, t] · dY[m, i − u_t, j − v_t]`: a stride-1 convolution of
//! the output gradient, padded by the largest shift on the top and left, with the phase's taps
//! flipped and the depths swapped. Only the phase positions that are input pixels (not
//! padding) are computed, and each phase is scattered back every `stride` pixels. With stride
//! 1 there is one phase, holding every tap.

use std::mem::MaybeUninit;

use rayon::prelude::*;

use super::super::ConvGeometry;
use super::super::simd::{Simd, TileJob, Tiles};
use super::broadcast::Packed;
use super::frame::copy_rows;
use super::scratch::Scratch;
use super::{serves, tiles};

/// The zero-padded output gradient that every phase reads.
#[derive(Debug)]
struct Padded {
    /// Columns per padded row.
    row: usize,
    /// Floats per padded plane.
    plane: usize,
    /// Zero rows above and columns left of the gradient: the largest tap shift.
    shift: [usize; 2],
}

/// One phase of the input: the pixels whose padded position is `(a, b)` modulo the stride.
#[derive(Debug)]
struct Phase {
    /// The first input row and column of the phase.
    first: [usize; 2],
    /// Input rows and columns in the phase.
    size: [usize; 2],
    /// Where each of the phase's taps reads in the padded gradient, from an output position;
    /// none when no tap reads the phase, whose gradient is zero.
    offsets: Vec<usize>,
    /// The phase's flipped, depth-swapped filters, `[in_channels, out_channels · taps]`,
    /// [`Packed`] for the tiles.
    packed: Packed,
    /// Positions computed per input channel, rounded up to whole tiles.
    width: usize,
}

/// The padded gradient's layout and the phases of `g`'s input, in `S`'s tiles of `R`
/// channels × `tile` positions (or broadcast tiles, where they pay).
fn phases<S: Tiles, const R: usize>(
    g: &ConvGeometry,
    weight: &[f32],
    tile: usize,
) -> (Padded, Vec<Phase>) {
    let [sh, sw] = g.stride;
    let [top, _, left, _] = g.padding;
    let taps = g.kernel_h * g.kernel_w;
    // Tap t = (kh, kw) reads phase (dy mod sh, dx mod sw), shifted by (dy / sh, dx / sw).
    let tap = |t: usize| {
        let (dy, dx) = (
            t / g.kernel_w * g.dilation[0],
            t % g.kernel_w * g.dilation[1],
        );
        ([dy % sh, dx % sw], [dy / sh, dx / sw])
    };
    let shift = (0..taps).fold([0, 0], |[u, v], t| {
        let [tu, tv] = tap(t).1;
        [u.max(tu), v.max(tv)]
    });
    // Phase (a, b): its first input row y₀ has (y₀ + top) ≡ a (mod sh) and is row i₀ of the
    // phase; likewise for columns. Each phase as ([a, b], [y₀, x₀], [i₀, j₀], [rows, columns]).
    let first = |a: usize, pad: usize, s: usize| (a + s - pad % s) % s;
    let count = |y0: usize, len: usize, s: usize| len.saturating_sub(y0).div_ceil(s);
    let spots: Vec<[[usize; 2]; 4]> = (0..sh)
        .flat_map(|a| (0..sw).map(move |b| [a, b]))
        .map(|[a, b]| {
            let [y0, x0] = [first(a, top, sh), first(b, left, sw)];
            [
                [a, b],
                [y0, x0],
                [(y0 + top) / sh, (x0 + left) / sw],
                [count(y0, g.in_h, sh), count(x0, g.in_w, sw)],
            ]
        })
        .collect();
    let reach = spots.iter().fold(
        [g.out_h(), g.out_w()],
        |[h, w], [_, _, [i0, j0], [n, k]]| [h.max(i0 + n), w.max(j0 + k)],
    );
    let row = shift[1] + reach[1];
    let padded = Padded {
        row,
        plane: (shift[0] + reach[0]) * row,
        shift,
    };
    let mut list = Vec::new();
    for [[a, b], [y0, x0], [i0, j0], size] in spots {
        let mine: Vec<usize> = (0..taps).filter(|&t| tap(t).0 == [a, b]).collect();
        if size.contains(&0) {
            continue; // no input pixels
        }
        let offsets: Vec<usize> = mine
            .iter()
            .map(|&t| {
                let [u, v] = tap(t).1;
                (i0 + shift[0] - u) * row + (j0 + shift[1] - v)
            })
            .collect();
        // w'[c][m][t'] = w[m][c][t] over the phase's taps.
        let mut swapped = Vec::with_capacity(g.in_channels * g.out_channels * mine.len());
        for c in 0..g.in_channels {
            for m in 0..g.out_channels {
                let filter = &weight[(m * g.in_channels + c) * taps..][..taps];
                swapped.extend(mine.iter().map(|&t| filter[t]));
            }
        }
        let width = ((size[0] - 1) * row + size[1]).next_multiple_of(tile);
        let packed = Packed::new::<S, R>(
            &swapped,
            [g.in_channels, g.out_channels * mine.len()],
            width,
            [size[0], size[1], row],
            (padded.plane, &offsets),
        );
        list.push(Phase {
            first: [y0, x0],
            size,
            offsets,
            packed,
            width,
        });
    }
    (padded, list)
}

/// Whether a phase of `g`'s input gradient runs in broadcast tiles ([`super::broadcasts`]).
pub(super) fn broadcasts<S: Tiles, const R: usize>(
    g: &ConvGeometry,
    weight: &[f32],
    tile: usize,
) -> bool {
    let (_, phases) = phases::<S, R>(g, weight, tile);
    phases
        .iter()
        .any(|phase| matches!(phase.packed, Packed::Broadcast { .. }))
}

impl Padded {
    /// Floats of one padded gradient of `channels` planes, readable by every phase's tiles.
    fn len(&self, channels: usize, phases: &[Phase]) -> usize {
        let past = phases
            .iter()
            .map(|p| p.width + p.offsets.iter().copied().max().unwrap_or(0));
        channels * self.plane + past.max().unwrap_or(0)
    }

    /// Writes `dy` (`[channels, out_h, out_w]`) into `dst`'s padded planes, whose padding is
    /// zero.
    fn pad(&self, g: &ConvGeometry, dy: &[f32], dst: &mut [f32]) {
        let first = self.shift[0] * self.row + self.shift[1];
        copy_rows(
            dy,
            [g.out_h(), g.out_w()],
            dst,
            [self.plane, self.row],
            first,
        );
    }
}

impl Phase {
    /// Writes the phase's computed rows (`[in_channels, width]`, `row` apart per input row),
    /// or zeros when no tap reads the phase (`staged` is `None`), to its pixels of `dx`
    /// (`[in_channels, in_h, in_w]`), and returns how many elements it wrote.
    fn scatter(
        &self,
        g: &ConvGeometry,
        row: usize,
        staged: Option<&[f32]>,
        dx: &mut [MaybeUninit<f32>],
    ) -> usize {
        let [sh, sw] = g.stride;
        let [y0, x0] = self.first;
        let zeros = if staged.is_some() {
            Vec::new()
        } else {
            vec![0.0; self.size[1]]
        };
        for (c, plane) in dx.chunks_exact_mut(g.in_pixels()).enumerate() {
            for i in 0..self.size[0] {
                let line = &mut plane[(y0 + i * sh) * g.in_w..][..g.in_w];
                let src = staged.map_or(&zeros[..], |s| {
                    &s[c * self.width + i * row..][..self.size[1]]
                });
                // Constant strides, so that each arm compiles to a loop of plain stores.
                match sw {
                    1 => spread(src, &mut line[x0..], 1),
                    2 => spread(src, &mut line[x0..], 2),
                    3 => spread(src, &mut line[x0..], 3),
                    _ => spread(src, &mut line[x0..], sw),
                }
            }
        }
        g.in_channels * self.size[0] * self.size[1]
    }
}

/// Writes `src` to every `stride`-th element of `dst`, from its first: a strided iterator
/// here cost a tenth of a stride-2 layer's training time.
///
/// # Panics
/// When `dst` is shorter than `(src.len() − 1) · stride + 1`.
#[inline(always)]
fn spread(src: &[f32], dst: &mut [MaybeUninit<f32>], stride: usize) {
    let Some(last) = src.len().checked_sub(1) else {
        return;
    };
    let dst = &mut dst[..last * stride + 1];
    for (k, &v) in src.iter().enumerate() {
        dst[k * stride].write(v);
    }
}

/// Gradient of the loss with respect to the input, for geometries [`serves`] accepts (it is
/// faster than the lowered path where
/// [`serves_input_grad`](super::serves_input_grad) holds): per phase of the input,
/// the forward tiles on the phase's flipped, depth-swapped taps.
///
/// # Shapes
/// - `weight`: `[out_channels, in_channels, kh, kw]`, `grad`: `[batch, out_channels, out_h, out_w]`
/// - returns `[batch, in_channels, in_h, in_w]`
///
/// # Panics
/// When `serves(g)` is false or an operand's size differs from `g`'s.
pub fn input_grad(simd: Simd, g: &ConvGeometry, weight: &[f32], grad: &[f32]) -> Vec<f32> {
    simd.run(
        g.in_channels,
        super::tile_span(g),
        InputGrad { g, weight, grad },
    )
}

/// The operands of [`input_grad`], run by [`Simd::run`] in its tile shape.
struct InputGrad<'a> {
    g: &'a ConvGeometry,
    weight: &'a [f32],
    grad: &'a [f32],
}

impl TileJob for InputGrad<'_> {
    type Output = Vec<f32>;

    fn run<S: Tiles, const R: usize, const NV: usize>(self, simd: S) -> Vec<f32> {
        input_grad_in::<S, R, NV>(simd, self.g, self.weight, self.grad)
    }
}

/// [`input_grad`] in tiles of `R` input channels × `NV` registers of pixels.
fn input_grad_in<S: Tiles, const R: usize, const NV: usize>(
    simd: S,
    g: &ConvGeometry,
    weight: &[f32],
    grad: &[f32],
) -> Vec<f32> {
    assert!(serves(g), "direct conv: not a geometry it serves: {g:?}");
    assert_eq!(
        weight.len(),
        g.out_channels * g.patch_len(),
        "direct conv: weight size"
    );
    let (in_len, out_len) = (
        g.in_channels * g.in_pixels(),
        g.out_channels * g.out_pixels(),
    );
    assert_eq!(grad.len(), g.batch * out_len, "direct conv: gradient size");
    let (padded, phases) = phases::<S, R>(g, weight, NV * S::LANES);
    let source_len = padded.len(g.out_channels, &phases);
    // Every input pixel is in one phase, so the phases write each element of `dx` once and
    // it needs no zero-filling first (as the forward output).
    let len = g.batch * in_len;
    let mut dx = Vec::with_capacity(len);
    let written: usize = dx.spare_capacity_mut()[..len]
        .par_chunks_mut(in_len)
        .zip(grad.par_chunks(out_len))
        .enumerate()
        .map_init(
            || Scratch::zeroed(source_len, 0),
            |scratch, (n, (dx, dy))| {
                padded.pad(g, dy, &mut scratch.source);
                let mut upcoming = grad.chunks(out_len).nth(n + 1).unwrap_or_default();
                let mut written = 0;
                for phase in &phases {
                    let staged = (!phase.offsets.is_empty()).then(|| {
                        tiles::<S, R, NV>(
                            simd,
                            &phase.packed,
                            g.out_channels * phase.offsets.len(),
                            &scratch.source,
                            padded.plane,
                            &phase.offsets,
                            &mut scratch.staged,
                            phase.width,
                            std::mem::take(&mut upcoming),
                        );
                        &scratch.staged[..]
                    });
                    written += phase.scatter(g, padded.row, staged, dx);
                }
                written
            },
        )
        .sum();
    assert_eq!(
        written, len,
        "direct conv: input gradient not fully written"
    );
    // SAFETY: the phases' `scatter`s initialised `written` elements of the spare capacity:
    // the phases partition each image's pixels, each written once, and `written == len` was
    // asserted.
    unsafe { dx.set_len(len) };
    dx
}

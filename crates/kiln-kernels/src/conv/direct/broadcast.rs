//! Broadcast tiles for small maps: channels in the registers' lanes, one pixel at a time.
//!
//! A position tile computes a register of consecutive positions along the padded rows, so on
//! a 7×7 map with a 3×3 filter (rows of 9, 63 positions rounded to 64) a quarter of its lanes
//! are padding columns, and a weight-gradient tile reduces its lanes after only a few
//! registers per image. A broadcast tile ([`Tiles::broadcast_tile`]) holds
//! [`BROADCAST_CHANNELS`](Tiles::BROADCAST_CHANNELS) channels (64 in AVX-512's registers, 16
//! in AVX2's) for [`PIXELS`] pixels and broadcasts each pixel's value, so every lane is an
//! output and no lanes are summed: oneDNN's channel-blocked layout, on kiln's padded planes.
//!
//! - forward and input gradient ([`Packed::Broadcast`]): lanes are output channels, the rows
//!   the packed weights of each (input channel, tap), the pixels the output pixels;
//! - weight gradient ([`weight_grad`]): lanes are output channels, the rows the output
//!   gradient's pixels (transposed to channels-last), the "pixels" the (input channel, tap)
//!   pairs.

use rayon::prelude::*;

use super::super::ConvGeometry;
use super::super::simd::{Bases, PIXELS, Tiles};
use super::frame::{Frame, pack};
use super::prefetch::Prefetch;
use super::scratch::Scratch;
use super::{L1_FLOATS, sum_in_order};

/// Output-gradient floats (channels-last) a weight-gradient set keeps in the L1 data cache
/// while every (input channel, tap) pair reads them.
const SET_FLOATS: usize = 6144;

/// Whether broadcast tiles compute `channels` output planes of `pixels` pixels faster than
/// position tiles computing `width` positions: the channels fill whole broadcast tiles and
/// more than an eighth of the positions would be padding (7×7 maps, not 14×14 or 28×28).
fn pays<S: Tiles>(channels: usize, width: usize, pixels: usize) -> bool {
    channels.is_multiple_of(S::BROADCAST_CHANNELS) && 8 * pixels < 7 * width
}

/// Whether the direct kernels run the weight gradient of `g` (in `S`'s registers) in
/// broadcast tiles.
pub(super) fn pays_weight_grad<S: Tiles>(g: &ConvGeometry, frame: &Frame) -> bool {
    pays::<S>(g.out_channels, frame.width, g.out_pixels())
}

/// One call's weights, packed for the tiles that compute its staged rows.
#[derive(Debug)]
pub(super) enum Packed {
    /// For position tiles of `R` channels ([`pack`]ed in blocks of `R`).
    Positions(Vec<f32>),
    /// For broadcast tiles, computed at the output pixels only.
    Broadcast {
        /// The weights [`pack`]ed in blocks of the broadcast tile's channels.
        packed: Vec<f32>,
        /// The positions of the output pixels in the staged rows, repeated at the end to
        /// whole tiles (a repeat recomputes its pixel).
        pixels: Vec<usize>,
        /// Where row `k` of the packed weights (input channel `k / taps`, tap `k % taps`)
        /// reads in the source: the channel's plane plus the tap's offset.
        bases: Vec<usize>,
    },
}

impl Packed {
    /// `weight` (`[channels, patch]`, patch = source channels · taps) packed for the tiles
    /// that suit it: broadcast tiles when [`pays`] says so for output pixels at
    /// `y·row + x` (`grid = [rows, columns, row]`) of staged rows `width` long, position tiles
    /// of `R` channels otherwise.
    pub(super) fn new<S: Tiles, const R: usize>(
        weight: &[f32],
        [channels, patch]: [usize; 2],
        width: usize,
        [rows, columns, row]: [usize; 3],
        (plane, offsets): (usize, &[usize]),
    ) -> Self {
        if offsets.is_empty() {
            return Packed::Positions(Vec::new()); // no taps: nothing to compute
        }
        if !pays::<S>(channels, width, rows * columns) {
            return Packed::Positions(pack(weight, channels, patch, R));
        }
        let mut pixels: Vec<usize> = (0..rows)
            .flat_map(|y| (0..columns).map(move |x| y * row + x))
            .collect();
        let last = pixels.last().copied().unwrap_or(0);
        pixels.resize(pixels.len().next_multiple_of(PIXELS), last);
        let taps = offsets.len();
        Packed::Broadcast {
            packed: pack(weight, channels, patch, S::BROADCAST_CHANNELS),
            pixels,
            bases: (0..patch)
                .map(|k| k / taps * plane + offsets[k % taps])
                .collect(),
        }
    }
}

/// Computes the staged rows of [`super::tiles`] at `pixels` in broadcast tiles: row `m`
/// (`width` positions) gets `Σ_k w[m, k] · source[bases[k] + q]` at each pixel position `q`;
/// its other positions are left as they were (nothing reads them).
///
/// # Shapes
/// - `packed`: [`pack`]ed in blocks of `S::BROADCAST_CHANNELS`, `bases.len()` rows each
/// - `staged`: resized to one row of `width` per packed channel
/// - `upcoming`: what the next call will read, prefetched between tiles
#[allow(clippy::too_many_arguments)]
pub(super) fn tiles<S: Tiles>(
    simd: S,
    packed: &[f32],
    pixels: &[usize],
    bases: &[usize],
    source: &[f32],
    staged: &mut Vec<f32>,
    width: usize,
    upcoming: &[f32],
) {
    let channels = S::BROADCAST_CHANNELS;
    let patch = bases.len();
    let bases = Bases::new(bases);
    let blocks = packed.len() / (patch * channels).max(1);
    staged.resize(blocks * channels * width, 0.0);
    // Rows a chunk at a time, as many as keep their weights in L1 while every pixel reads
    // them; the sums of a block stay in `sums`, channels-last, between chunks.
    let chunk = (L1_FLOATS / channels).max(1);
    let mut sums = vec![0.0; pixels.len() * channels];
    let tiles_per_block = patch.div_ceil(chunk) * pixels.len() / PIXELS;
    let mut prefetch = Prefetch::new(upcoming, blocks * tiles_per_block);
    for (w, rows) in packed
        .chunks_exact(patch * channels)
        .zip(staged.chunks_exact_mut(channels * width))
    {
        for (first, (w, bases)) in w
            .chunks(chunk * channels)
            .zip(bases.chunks(chunk))
            .enumerate()
        {
            for (pixels, out) in pixels
                .chunks_exact(PIXELS)
                .zip(sums.chunks_exact_mut(PIXELS * channels))
            {
                let positions = std::array::from_fn(|i| pixels[i]);
                simd.broadcast_tile(
                    w,
                    channels,
                    source,
                    bases,
                    positions,
                    out,
                    channels,
                    first > 0,
                );
                prefetch.step();
            }
        }
        for (&q, sums) in pixels.iter().zip(sums.chunks_exact(channels)) {
            for (m, &v) in sums.iter().enumerate() {
                rows[m * width + q] = v;
            }
        }
    }
}

/// The weight gradient of `g` in broadcast tiles ([`pays_weight_grad`]): per set of images,
/// the output gradient transposed to channels-last rows, one per output pixel, and the
/// (input channel, tap) pairs as the tile's pixels, summed in `[patch, out_channels]` and
/// transposed at the end. Each thread sums its share of the images and the shares are added
/// in order, as in [`super::weight_grad`].
///
/// # Shapes
/// - `x`: `[batch, in_channels, in_h, in_w]`, `grad`: `[batch, out_channels, out_h, out_w]`
/// - returns `[out_channels, in_channels, kh, kw]`
pub(super) fn weight_grad<S: Tiles>(
    simd: S,
    g: &ConvGeometry,
    frame: &Frame,
    [x, grad]: [&[f32]; 2],
    [in_len, out_len]: [usize; 2],
) -> Vec<f32> {
    let channels = S::BROADCAST_CHANNELS;
    let (m, pixels) = (g.out_channels, g.out_pixels());
    let (taps, patch) = (frame.offsets.len(), g.patch_len());
    // The (input channel, tap) pairs in tiles; the last tile repeats the last pair into rows
    // past `patch`, which are dropped.
    let pairs: Vec<[usize; PIXELS]> = (0..patch.div_ceil(PIXELS))
        .map(|tile| {
            std::array::from_fn(|i| {
                let k = (tile * PIXELS + i).min(patch - 1);
                k / taps * frame.plane + frame.offsets[k % taps]
            })
        })
        .collect();
    let positions: Vec<usize> = (0..g.out_h())
        .flat_map(|y| (0..g.out_w()).map(move |x| y * frame.row + x))
        .collect();
    let source_len = frame.padded_len(g.in_channels);
    let together = (SET_FLOATS / (pixels * m)).clamp(1, 16);
    let per_thread = g.batch.div_ceil(rayon::current_num_threads()).max(1);
    let parts = x
        .par_chunks(per_thread * in_len)
        .zip(grad.par_chunks(per_thread * out_len))
        .map(|(images, grads)| {
            let mut sums = vec![0.0; pairs.len() * PIXELS * m];
            let n = together.min(images.len() / in_len);
            let Scratch { source, staged } = &mut Scratch::zeroed(n * source_len, n * pixels * m);
            let mut bases = Vec::with_capacity(n * pixels);
            let sets = images
                .chunks(together * in_len)
                .zip(grads.chunks(together * out_len));
            for (images, grads) in sets {
                bases.clear();
                let pairs_of_set = images.chunks(in_len).zip(grads.chunks(out_len));
                for (i, (image, dy)) in pairs_of_set.enumerate() {
                    frame.pad(g, image, &mut source[i * source_len..][..source_len]);
                    let rows = &mut staged[i * pixels * m..][..pixels * m];
                    for (channel, plane) in dy.chunks_exact(pixels).enumerate() {
                        for (p, &v) in plane.iter().enumerate() {
                            rows[p * m + channel] = v;
                        }
                    }
                    bases.extend(positions.iter().map(|q| i * source_len + q));
                }
                let bases = Bases::new(&bases);
                for (pair, out) in pairs.iter().zip(sums.chunks_exact_mut(PIXELS * m)) {
                    for block in (0..m).step_by(channels) {
                        simd.broadcast_tile(
                            &staged[block..],
                            m,
                            source,
                            bases,
                            *pair,
                            &mut out[block..],
                            m,
                            true,
                        );
                    }
                }
            }
            let mut dw = vec![0.0; m * patch];
            for (k, sums) in sums.chunks_exact(m).take(patch).enumerate() {
                for (channel, &v) in sums.iter().enumerate() {
                    dw[channel * patch + k] = v;
                }
            }
            dw
        })
        .collect();
    sum_in_order(parts, m * patch)
}

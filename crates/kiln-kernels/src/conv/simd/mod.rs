//! The register tiles of the direct convolution ([`super::direct`]), written once over a
//! `Register` of `f32` lanes and compiled for each instruction set: AVX-512 ([`Avx512`], 16
//! lanes) and AVX2 + FMA ([`Avx2`], 8 lanes).
//!
//! The tiles read a source laid out as zero-padded planes (`plane` floats apart) in which a
//! filter tap is a fixed offset, so a tap of one register of consecutive output pixels is one
//! unaligned load and no pixel needs an edge test; the broadcast tile instead holds channels
//! in its registers and reads one pixel at a time, for small maps. Each checked method of [`Tiles`] tests
//! every index it will touch once, up front, then runs the unchecked loop.

/// Implements [`Tiles`] for the token `$token` with registers `$register`: the loops
/// compiled in functions that enable `$features`, the broadcast tile `$vectors` registers of
/// channels wide.
macro_rules! compiled_tiles {
    ($token:ty, $register:ty, $features:literal, $vectors:literal) => {
        impl super::Tiles for $token {
            const LANES: usize = <$register as Register>::LANES;
            const BROADCAST_CHANNELS: usize = $vectors * <$register as Register>::LANES;

            unsafe fn broadcast_unchecked(self, tile: super::BroadcastTile<'_>) {
                /// The broadcast loop compiled for this instruction set.
                ///
                /// # Safety
                /// As [`super::Tiles::broadcast_unchecked`], on a CPU with the instructions.
                #[target_feature(enable = $features)]
                unsafe fn compiled(tile: super::BroadcastTile<'_>) {
                    // SAFETY: this function's own contract.
                    unsafe { super::broadcast_loop::<$register, $vectors>(tile) }
                }
                // SAFETY: `self` proves the instructions; the pointers are the caller's to
                // vouch for.
                unsafe { compiled(tile) }
            }

            unsafe fn forward_unchecked<const R: usize, const NV: usize>(
                self,
                tile: super::ForwardTile<'_>,
            ) {
                /// The forward loop compiled for this instruction set.
                ///
                /// # Safety
                /// As [`super::Tiles::forward_unchecked`], on a CPU with the instructions.
                #[target_feature(enable = $features)]
                unsafe fn compiled<const R: usize, const NV: usize>(tile: super::ForwardTile<'_>) {
                    // SAFETY: this function's own contract.
                    unsafe { super::forward_loop::<$register, R, NV>(tile) }
                }
                // SAFETY: `self` proves the instructions; the pointers are the caller's to
                // vouch for.
                unsafe { compiled::<R, NV>(tile) }
            }

            unsafe fn weight_unchecked(
                self,
                tile: super::WeightTile,
            ) -> [[f32; super::TAPS]; super::MR] {
                /// The weight-gradient loop compiled for this instruction set.
                ///
                /// # Safety
                /// As [`super::Tiles::weight_unchecked`], on a CPU with the instructions.
                #[target_feature(enable = $features)]
                unsafe fn compiled(tile: super::WeightTile) -> [[f32; super::TAPS]; super::MR] {
                    // SAFETY: this function's own contract.
                    unsafe { super::weight_loop::<$register>(tile) }
                }
                // SAFETY: `self` proves the instructions; the pointers are the caller's to
                // vouch for.
                unsafe { compiled(tile) }
            }
        }
    };
}

mod avx2;
mod avx512;

pub use avx2::Avx2;
pub use avx512::Avx512;

use crate::switch::{SimdLimit, simd_limit};

/// Output channels in one weight-gradient tile.
pub const MR: usize = 4;
/// Filter taps in one weight-gradient tile.
pub const TAPS: usize = 3;

/// The operands of one forward tile, unchecked: see [`Tiles::forward_tile`].
#[derive(Clone, Copy, Debug)]
pub struct ForwardTile<'a> {
    w: *const f32,
    src: *const f32,
    plane: usize,
    offsets: &'a [usize],
    channels: usize,
    out: *mut f32,
    out_stride: usize,
}

/// Pixels in one broadcast tile.
pub const PIXELS: usize = 6;

/// Where the rows of broadcast tiles read their pixels ([`Tiles::broadcast_tile`]), with the
/// farthest of these offsets, found once for every tile that reads them: a tile's bounds check
/// then costs nothing per row (searched per tile, 256 rows per AVX2 forward chunk and up to 784
/// per weight-gradient set, it held 4.8 % of a ResNet-20 training step's samples on a Zen 2).
#[derive(Clone, Copy, Debug)]
pub struct Bases<'a> {
    offsets: &'a [usize],
    /// At least every offset of `offsets` (the greatest of them, or of the set it was cut
    /// from).
    reach: usize,
}

impl<'a> Bases<'a> {
    /// The offsets of a tile's rows, row `k` reading at `offsets[k]`.
    pub fn new(offsets: &'a [usize]) -> Self {
        let reach = offsets.iter().copied().max().unwrap_or(0);
        Self { offsets, reach }
    }

    /// The rows in chunks of `rows` (the last one shorter), each keeping the whole set's
    /// reach: a bound of every offset in it.
    pub fn chunks(self, rows: usize) -> impl Iterator<Item = Bases<'a>> {
        let reach = self.reach;
        self.offsets
            .chunks(rows)
            .map(move |offsets| Bases { offsets, reach })
    }

    /// Rows.
    pub fn len(&self) -> usize {
        self.offsets.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.offsets.is_empty()
    }
}

/// The operands of one broadcast tile, unchecked: see [`Tiles::broadcast_tile`].
#[derive(Clone, Copy, Debug)]
pub struct BroadcastTile<'a> {
    a: *const f32,
    a_stride: usize,
    b: *const f32,
    bases: &'a [usize],
    positions: [usize; PIXELS],
    out: *mut f32,
    out_stride: usize,
    accumulate: bool,
}

/// The operands of one weight-gradient tile, unchecked: see [`Tiles::weight_tile`].
#[derive(Clone, Copy, Debug)]
pub struct WeightTile {
    dy: *const f32,
    dy_stride: usize,
    src: *const f32,
    strides: [usize; 2],
    offsets: [usize; TAPS],
    vectors: usize,
    images: usize,
}

/// One SIMD register of `f32` lanes and the operations the tiles are made of.
///
/// Every method is `unsafe`: it may only run on a CPU with the register's instructions, which
/// the [`Tiles`] token that instantiates the tiles proves.
pub(super) trait Register: Copy {
    /// `f32` lanes per register.
    const LANES: usize;
    /// All lanes 0.
    unsafe fn zero() -> Self;
    /// `LANES` floats from `p` (unaligned).
    unsafe fn load(p: *const f32) -> Self;
    /// `*p` in every lane.
    unsafe fn splat(p: *const f32) -> Self;
    /// `a · b + acc`, fused.
    unsafe fn mul_add(a: Self, b: Self, acc: Self) -> Self;
    /// Writes the lanes to `p` (unaligned).
    unsafe fn store(self, p: *mut f32);
    /// The sum of the lanes.
    unsafe fn sum(self) -> f32;
}

/// Proof that the CPU runs one instruction set's register tiles: only its `detect` makes one.
///
/// # Shapes
/// - [`Tiles::forward_tile`]: `R` output channels × `LANES·NV` positions
/// - [`Tiles::weight_tile`]: [`MR`] output channels × [`TAPS`] taps
pub trait Tiles: Copy + Send + Sync + core::fmt::Debug {
    /// `f32` lanes per register.
    const LANES: usize;

    /// Channels of one broadcast tile ([`Tiles::broadcast_tile`]): a few registers' lanes.
    const BROADCAST_CHANNELS: usize;

    /// [`Tiles::broadcast_tile`] without its checks.
    ///
    /// # Safety
    /// Every pointer of `tile` must be valid for the reads and writes
    /// [`Tiles::broadcast_tile`] describes.
    unsafe fn broadcast_unchecked(self, tile: BroadcastTile<'_>);

    /// [`Tiles::forward_tile`] without its checks.
    ///
    /// # Safety
    /// Every pointer of `tile` must be valid for the reads and writes
    /// [`Tiles::forward_tile`] describes.
    unsafe fn forward_unchecked<const R: usize, const NV: usize>(self, tile: ForwardTile<'_>);

    /// [`Tiles::weight_tile`] without its checks.
    ///
    /// # Safety
    /// Every pointer of `tile` must be valid for the reads [`Tiles::weight_tile`] describes.
    unsafe fn weight_unchecked(self, tile: WeightTile) -> [[f32; TAPS]; MR];

    /// One forward tile: `R` output channels × `LANES·NV` consecutive positions,
    /// `out[i·out_stride + p] = Σ_c Σ_t w[(c·T + t)·R + i] · src[c·plane + offsets[t] + p]`.
    ///
    /// # Shapes
    /// - `w`: `[channels, offsets.len(), R]`, the tile's weights packed tap by tap
    /// - `src`: at least `(channels − 1)·plane + max(offsets) + LANES·NV` floats
    /// - `out`: `R` rows of `LANES·NV` positions, `out_stride` apart
    ///
    /// # Panics
    /// When an operand is shorter than its shape.
    #[allow(clippy::too_many_arguments)]
    fn forward_tile<const R: usize, const NV: usize>(
        self,
        w: &[f32],
        src: &[f32],
        plane: usize,
        offsets: &[usize],
        channels: usize,
        out: &mut [f32],
        out_stride: usize,
    ) {
        let len = Self::LANES * NV;
        assert!(
            w.len() >= channels * offsets.len() * R,
            "forward tile: weights"
        );
        assert!(
            src.len() >= reach(channels, plane, offsets) + len,
            "forward tile: source"
        );
        assert!(
            out.len() >= (R - 1) * out_stride + len,
            "forward tile: output"
        );
        // SAFETY: the loop reads w[0..channels·taps·R], src[c·plane + off + 0..len] and
        // writes out[i·out_stride + 0..len] for i < R: within the lengths asserted above.
        unsafe {
            self.forward_unchecked::<R, NV>(ForwardTile {
                w: w.as_ptr(),
                src: src.as_ptr(),
                plane,
                offsets,
                channels,
                out: out.as_mut_ptr(),
                out_stride,
            })
        }
    }

    /// One broadcast tile: [`BROADCAST_CHANNELS`](Tiles::BROADCAST_CHANNELS) channels in
    /// registers × [`PIXELS`] pixels, each pixel's value broadcast to every lane:
    /// `out[i·out_stride + j] (+)= Σ_k a[k·a_stride + j] · b[bases[k] + positions[i]]`, added
    /// to what `out` holds when `accumulate`. Channels in the lanes make every lane a real
    /// output, where a tile of consecutive positions also computes the padding columns of a
    /// small map (a quarter of them at 7×7), and need no lane sums.
    ///
    /// # Shapes
    /// - `a`: `bases.len()` rows of at least `BROADCAST_CHANNELS` floats, `a_stride` apart
    /// - `b`: more than `bases`' reach + `max(positions)` floats
    /// - `out`: [`PIXELS`] rows of `BROADCAST_CHANNELS`, `out_stride` apart
    ///
    /// # Panics
    /// When an operand is shorter than its shape.
    #[allow(clippy::too_many_arguments)]
    fn broadcast_tile(
        self,
        a: &[f32],
        a_stride: usize,
        b: &[f32],
        bases: Bases<'_>,
        positions: [usize; PIXELS],
        out: &mut [f32],
        out_stride: usize,
        accumulate: bool,
    ) {
        let channels = Self::BROADCAST_CHANNELS;
        if let Some(last) = bases.len().checked_sub(1) {
            assert!(
                a.len() >= last * a_stride + channels,
                "broadcast tile: rows"
            );
            let reach = bases.reach + positions.iter().max().copied().unwrap_or(0);
            assert!(b.len() > reach, "broadcast tile: pixels");
        }
        assert!(
            out.len() >= (PIXELS - 1) * out_stride + channels,
            "broadcast tile: output"
        );
        // SAFETY: the loop reads a[k·a_stride + 0..channels] and b[bases[k] + positions[i]]
        // for k < bases.len(), and reads and writes out[i·out_stride + 0..channels] for
        // i < PIXELS: within the lengths asserted above (`Bases` holds a bound of its
        // offsets, computed from them).
        unsafe {
            self.broadcast_unchecked(BroadcastTile {
                a: a.as_ptr(),
                a_stride,
                b: b.as_ptr(),
                bases: bases.offsets,
                positions,
                out: out.as_mut_ptr(),
                out_stride,
                accumulate,
            })
        }
    }

    /// One weight-gradient tile: [`MR`] output channels × [`TAPS`] taps of one input channel,
    /// summed over `images` images laid out `strides = [dy image, src image]` apart:
    /// `acc[i][t] = Σ_n Σ_{p < LANES·vectors} dy[n·dy_image + i·dy_stride + p] ·
    /// src[n·src_image + offsets[t] + p]`.
    ///
    /// # Shapes
    /// - `dy`: per image, `MR` rows of at least `LANES·vectors` floats, `dy_stride` apart
    /// - `src`: per image, at least `max(offsets) + LANES·vectors` floats
    ///
    /// # Panics
    /// When an operand is shorter than its shape.
    #[allow(clippy::too_many_arguments)]
    fn weight_tile(
        self,
        dy: &[f32],
        dy_stride: usize,
        src: &[f32],
        strides: [usize; 2],
        offsets: [usize; TAPS],
        vectors: usize,
        images: usize,
    ) -> [[f32; TAPS]; MR] {
        let len = Self::LANES * vectors;
        let [dy_image, src_image] = strides;
        let last = images.max(1) - 1;
        assert!(
            dy.len() >= last * dy_image + (MR - 1) * dy_stride + len,
            "weight tile: gradient"
        );
        assert!(
            src.len() >= last * src_image + reach(1, 0, &offsets) + len,
            "weight tile: source"
        );
        // SAFETY: the loop reads, for n < images, dy[n·dy_image + i·dy_stride + 0..len] for
        // i < MR and src[n·src_image + off + 0..len] for each offset: within the lengths
        // asserted above.
        unsafe {
            self.weight_unchecked(WeightTile {
                dy: dy.as_ptr(),
                dy_stride,
                src: src.as_ptr(),
                strides,
                offsets,
                vectors,
                images,
            })
        }
    }
}

/// The first index past the start of the last channel's farthest tap.
fn reach(channels: usize, plane: usize, offsets: &[usize]) -> usize {
    (channels.max(1) - 1) * plane + offsets.iter().copied().max().unwrap_or(0)
}

/// The forward tile's loop over registers `V`; each instruction set's `forward_unchecked`
/// inlines it into a function compiled for that set.
///
/// # Safety
/// `V`'s instructions must be available, and the pointers valid as [`Tiles::forward_tile`]
/// describes.
#[inline(always)]
unsafe fn forward_loop<V: Register, const R: usize, const NV: usize>(tile: ForwardTile<'_>) {
    let ForwardTile {
        w,
        src,
        plane,
        offsets,
        channels,
        out,
        out_stride,
    } = tile;
    // SAFETY (every block below): the caller's instruction set and bounds; the offsets are
    // those the caller's checks covered.
    let zero = unsafe { V::zero() };
    let mut acc = [[zero; NV]; R];
    let mut w = w;
    for c in 0..channels {
        for &off in offsets {
            let mut x = [zero; NV];
            for (j, x) in x.iter_mut().enumerate() {
                // SAFETY: c·plane + off + LANES·(j + 1) ≤ the source length (caller).
                *x = unsafe { V::load(src.add(c * plane + off + V::LANES * j)) };
            }
            for (i, acc) in acc.iter_mut().enumerate() {
                // SAFETY: w is advanced by R per tap, at most channels·taps·R (caller).
                let wi = unsafe { V::splat(w.add(i)) };
                for (acc, x) in acc.iter_mut().zip(&x) {
                    // SAFETY: register arithmetic of the caller's instruction set.
                    *acc = unsafe { V::mul_add(wi, *x, *acc) };
                }
            }
            // SAFETY: stays within, or one past, the packed weights (caller).
            w = unsafe { w.add(R) };
        }
    }
    for (i, acc) in acc.iter().enumerate() {
        for (j, acc) in acc.iter().enumerate() {
            // SAFETY: i·out_stride + LANES·(j + 1) ≤ the output length (caller).
            unsafe { acc.store(out.add(i * out_stride + V::LANES * j)) };
        }
    }
}

/// The weight-gradient tile's loop over registers `V`; each instruction set's
/// `weight_unchecked` inlines it into a function compiled for that set.
///
/// # Safety
/// `V`'s instructions must be available, and the pointers valid as [`Tiles::weight_tile`]
/// describes.
#[inline(always)]
unsafe fn weight_loop<V: Register>(tile: WeightTile) -> [[f32; TAPS]; MR] {
    let WeightTile {
        dy,
        dy_stride,
        src,
        strides: [dy_image, src_image],
        offsets,
        vectors,
        images,
    } = tile;
    // SAFETY: register arithmetic of the caller's instruction set.
    let zero = unsafe { V::zero() };
    let mut acc = [[zero; TAPS]; MR];
    for n in 0..images {
        for v in 0..vectors {
            let p = V::LANES * v;
            let mut x = [zero; TAPS];
            for (x, off) in x.iter_mut().zip(offsets) {
                // SAFETY: n·src_image + off + p + LANES ≤ the source length (caller).
                *x = unsafe { V::load(src.add(n * src_image + off + p)) };
            }
            for (i, acc) in acc.iter_mut().enumerate() {
                // SAFETY: n·dy_image + i·dy_stride + p + LANES ≤ the gradient length (caller).
                let d = unsafe { V::load(dy.add(n * dy_image + i * dy_stride + p)) };
                for (acc, x) in acc.iter_mut().zip(&x) {
                    // SAFETY: register arithmetic of the caller's instruction set.
                    *acc = unsafe { V::mul_add(d, *x, *acc) };
                }
            }
        }
    }
    // Summed in loops of this function, not in closures given to `array::map`: those are
    // compiled without the instruction set, and every lane sum became a call.
    let mut sums = [[0.0; TAPS]; MR];
    for (sums, acc) in sums.iter_mut().zip(&acc) {
        for (sum, acc) in sums.iter_mut().zip(acc) {
            // SAFETY: register arithmetic of the caller's instruction set.
            *sum = unsafe { acc.sum() };
        }
    }
    sums
}

/// The broadcast tile's loop over `RV` registers `V` of channels; each instruction set's
/// `broadcast_unchecked` inlines it into a function compiled for that set.
///
/// # Safety
/// `V`'s instructions must be available, `RV · V::LANES` must be the set's
/// [`Tiles::BROADCAST_CHANNELS`], and the pointers valid as [`Tiles::broadcast_tile`]
/// describes.
#[inline(always)]
unsafe fn broadcast_loop<V: Register, const RV: usize>(tile: BroadcastTile<'_>) {
    let BroadcastTile {
        a,
        a_stride,
        b,
        bases,
        positions,
        out,
        out_stride,
        accumulate,
    } = tile;
    // SAFETY: register arithmetic of the caller's instruction set.
    let zero = unsafe { V::zero() };
    let mut acc = [[zero; RV]; PIXELS];
    if accumulate {
        for (i, acc) in acc.iter_mut().enumerate() {
            for (j, acc) in acc.iter_mut().enumerate() {
                // SAFETY: i·out_stride + LANES·(j + 1) ≤ the output length (caller).
                *acc = unsafe { V::load(out.add(i * out_stride + V::LANES * j)) };
            }
        }
    }
    for (k, &base) in bases.iter().enumerate() {
        let mut w = [zero; RV];
        for (j, w) in w.iter_mut().enumerate() {
            // SAFETY: k·a_stride + LANES·(j + 1) ≤ the rows' length (caller).
            *w = unsafe { V::load(a.add(k * a_stride + V::LANES * j)) };
        }
        for (acc, &p) in acc.iter_mut().zip(&positions) {
            // SAFETY: base + p < the pixels' length (caller).
            let x = unsafe { V::splat(b.add(base + p)) };
            for (acc, w) in acc.iter_mut().zip(&w) {
                // SAFETY: register arithmetic of the caller's instruction set.
                *acc = unsafe { V::mul_add(*w, x, *acc) };
            }
        }
    }
    for (i, acc) in acc.iter().enumerate() {
        for (j, acc) in acc.iter().enumerate() {
            // SAFETY: i·out_stride + LANES·(j + 1) ≤ the output length (caller).
            unsafe { acc.store(out.add(i * out_stride + V::LANES * j)) };
        }
    }
}

/// Register tiles of one instruction set, for [`Simd::run`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Simd {
    /// 16 lanes, tiles of 8 output channels × 32 positions.
    Avx512(Avx512),
    /// 8 lanes, tiles of 4 or 6 output channels × 16 positions.
    Avx2(Avx2),
}

/// A computation over register tiles of `R` channels × `NV` registers, run by [`Simd::run`] in
/// the tile shape that suits the instruction set and the depth.
pub trait TileJob {
    /// What the computation returns.
    type Output;
    /// Runs the computation on `simd`'s tiles.
    fn run<S: Tiles, const R: usize, const NV: usize>(self, simd: S) -> Self::Output;
}

impl Simd {
    /// The widest instruction set this CPU runs within `KILN_SIMD`'s limit
    /// ([`crate::set_simd_limit`]); `None` keeps convolutions on im2col + gemm.
    pub fn detect() -> Option<Simd> {
        let limit = simd_limit();
        let wide = Avx512::detect().filter(|_| limit >= SimdLimit::Avx512);
        let narrow = || Avx2::detect().filter(|_| limit >= SimdLimit::Avx2);
        wide.map(Simd::Avx512).or_else(|| narrow().map(Simd::Avx2))
    }

    /// Every instruction set this CPU runs, widest first, whatever the limit (tests check each).
    pub fn available() -> Vec<Simd> {
        let wide = Avx512::detect().map(Simd::Avx512);
        let narrow = Avx2::detect().map(Simd::Avx2);
        wide.into_iter().chain(narrow).collect()
    }

    /// Runs `job` in the tile shape for `channels` output channels and rows of `span`
    /// positions: on AVX-512, 8 channels × 3 registers (24 of the 32 registers hold sums)
    /// where rounding `span` up to whole tiles of 48 costs at most an eighth more positions
    /// than to tiles of 32, else 8 × 2; on AVX2, 6 × 2 (15 of 16 registers: 12 sums, 2 pixel
    /// vectors, 1 weight) where rounding the depth up to a multiple of 6 wastes at most 5 %
    /// (64 → 66, not 16 → 18), else 4 × 2 (a 4 × 3 tile would need all 16 and spill). Give a
    /// `span` of 0 to keep AVX-512 on 8 × 2.
    ///
    /// Three registers of pixels per tap load less per multiply-add than two. Median of five
    /// paired runs against 8 × 2 (Xeon model 207): the 16 → 16 convolution at 28×28 1.05×
    /// forward and 1.09× input gradient, 32 → 32 at 14×14 1.05× and 1.26×, ResNet-20 training
    /// 1.06× and inference 1.10×; on a stride-2 input gradient's 7×7 phase planes (rows of
    /// 55, 96 positions in tiles of 48 against 64) the wider tile ran 0.72×.
    pub fn run<J: TileJob>(self, channels: usize, span: usize, job: J) -> J::Output {
        match self {
            Simd::Avx512(s)
                if span > 0 && span.next_multiple_of(48) * 8 <= span.next_multiple_of(32) * 9 =>
            {
                job.run::<_, 8, 3>(s)
            }
            Simd::Avx512(s) => job.run::<_, 8, 2>(s),
            Simd::Avx2(s) if channels.next_multiple_of(6) * 20 <= channels * 21 => {
                job.run::<_, 6, 2>(s)
            }
            Simd::Avx2(s) => job.run::<_, 4, 2>(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(len: usize, seed: usize) -> Vec<f32> {
        (0..len)
            .map(|i| ((i * 7 + seed * 13) % 17) as f32 * 0.25 - 2.0)
            .collect()
    }

    /// A forward tile of `S` against its formula.
    fn forward_tile_matches_its_formula<S: Tiles>(simd: S) {
        const NV: usize = 3;
        let (channels, plane, offsets) = (3, 70, [0usize, 1, 5, 11]);
        let taps = offsets.len();
        let w = pattern(channels * taps * 4, 1);
        let len = S::LANES * NV;
        let src = pattern(reach(channels, plane, &offsets) + len, 2);
        let out_stride = len + 6;
        let mut out = vec![f32::NAN; 3 * out_stride + len];
        simd.forward_tile::<4, NV>(&w, &src, plane, &offsets, channels, &mut out, out_stride);
        for i in 0..4 {
            for p in 0..len {
                let mut want = 0.0f32;
                for c in 0..channels {
                    for (t, off) in offsets.iter().enumerate() {
                        want += w[(c * taps + t) * 4 + i] * src[c * plane + off + p];
                    }
                }
                let got = out[i * out_stride + p];
                assert!(
                    (got - want).abs() < 1e-4,
                    "{simd:?} row {i} pixel {p}: {got} vs {want}"
                );
            }
        }
    }

    /// A weight-gradient tile of `S` against its formula.
    fn weight_tile_matches_its_formula<S: Tiles>(simd: S) {
        let (vectors, offsets, images) = (5, [0usize, 2, 9], 3);
        let len = S::LANES * vectors;
        let dy_stride = len + 3;
        let strides @ [dy_image, src_image] = [(MR - 1) * dy_stride + len + 2, len + 21];
        let dy = pattern(images * dy_image, 3);
        let src = pattern((images - 1) * src_image + 9 + len, 4);
        let got = simd.weight_tile(&dy, dy_stride, &src, strides, offsets, vectors, images);
        for (i, row) in got.iter().enumerate() {
            for (t, off) in offsets.iter().enumerate() {
                let want: f32 = (0..images)
                    .flat_map(|n| (0..len).map(move |p| (n, p)))
                    .map(|(n, p)| {
                        dy[n * dy_image + i * dy_stride + p] * src[n * src_image + off + p]
                    })
                    .sum();
                assert!(
                    (row[t] - want).abs() < 1e-3,
                    "{simd:?} {i},{t}: {} vs {want}",
                    row[t]
                );
            }
        }
    }

    /// A broadcast tile of `S` against its formula, storing and accumulating.
    fn broadcast_tile_matches_its_formula<S: Tiles>(simd: S) {
        let channels = S::BROADCAST_CHANNELS;
        let (a_stride, out_stride) = (channels + 5, channels + 3);
        let bases = [0usize, 7, 3, 40, 12];
        let positions = [0usize, 1, 2, 9, 10, 30];
        let a = pattern((bases.len() - 1) * a_stride + channels, 5);
        let b = pattern(71, 6);
        let before = pattern((PIXELS - 1) * out_stride + channels, 7);
        for accumulate in [false, true] {
            let mut out = before.clone();
            simd.broadcast_tile(
                &a,
                a_stride,
                &b,
                Bases::new(&bases),
                positions,
                &mut out,
                out_stride,
                accumulate,
            );
            for (i, &p) in positions.iter().enumerate() {
                for j in 0..channels {
                    let start = if accumulate {
                        before[i * out_stride + j]
                    } else {
                        0.0
                    };
                    let want = bases.iter().enumerate().fold(start, |sum, (k, &base)| {
                        sum + a[k * a_stride + j] * b[base + p]
                    });
                    let got = out[i * out_stride + j];
                    assert!(
                        (got - want).abs() < 1e-4,
                        "{simd:?} pixel {i} channel {j} ({accumulate}): {got} vs {want}"
                    );
                }
            }
        }
    }

    /// The tiles of an instruction set against their formulas.
    struct Formulas;

    impl TileJob for Formulas {
        type Output = ();
        fn run<S: Tiles, const R: usize, const NV: usize>(self, simd: S) {
            forward_tile_matches_its_formula(simd);
            weight_tile_matches_its_formula(simd);
            broadcast_tile_matches_its_formula(simd);
        }
    }

    #[test]
    fn every_instruction_sets_tiles_match_their_formulas() {
        for simd in Simd::available() {
            simd.run(16, 0, Formulas);
            simd.run(16, 96, Formulas);
        }
    }

    #[test]
    fn bases_in_chunks_keep_the_reach_of_the_whole_set() {
        let offsets = [4usize, 90, 7, 12, 3];
        let bases = Bases::new(&offsets);
        assert_eq!((bases.reach, bases.len()), (90, 5));
        let chunks: Vec<Bases<'_>> = bases.chunks(2).collect();
        let rows: Vec<usize> = chunks.iter().flat_map(|c| c.offsets.to_vec()).collect();
        assert_eq!(rows, offsets);
        assert!(chunks.iter().all(|c| c.reach == 90 && !c.is_empty()));
        assert!(Bases::new(&[]).is_empty());
    }

    #[test]
    #[should_panic(expected = "broadcast tile: pixels")]
    fn a_broadcast_past_the_pixels_is_refused() {
        let Some(Simd::Avx2(avx2)) = Simd::available().pop() else {
            panic!("broadcast tile: pixels (no AVX2 here: nothing to refuse)")
        };
        let mut out = vec![0.0; PIXELS * 16];
        let positions = [0, 1, 2, 3, 4, 5];
        avx2.broadcast_tile(
            &[0.0; 16],
            16,
            &[0.0; 8],
            Bases::new(&[3]),
            positions,
            &mut out,
            16,
            false,
        );
    }

    #[test]
    #[should_panic(expected = "forward tile: source")]
    fn a_short_source_is_refused() {
        let Some(Simd::Avx2(avx2)) = Simd::available().pop() else {
            panic!("forward tile: source (no AVX2 here: nothing to refuse)")
        };
        let mut out = vec![0.0; 4 * 8];
        avx2.forward_tile::<4, 1>(&[0.0; 4], &[0.0; 7], 0, &[0], 1, &mut out, 8);
    }
}

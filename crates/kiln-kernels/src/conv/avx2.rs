//! AVX2 + FMA register tiles of the direct convolution ([`super::direct`]).
//!
//! Both tiles read a source laid out as zero-padded planes (`plane` floats apart) in which a
//! filter tap is a fixed offset, so a tap of eight consecutive output pixels is one unaligned
//! 8-lane load and no pixel needs an edge test. Each public method checks every index it
//! will touch once, up front, then runs the unchecked loop.

use std::arch::x86_64::{
    __m256, _mm_add_ps, _mm_add_ss, _mm_cvtss_f32, _mm_movehl_ps, _mm_shuffle_ps,
    _mm256_broadcast_ss, _mm256_castps256_ps128, _mm256_extractf128_ps, _mm256_fmadd_ps,
    _mm256_loadu_ps, _mm256_setzero_ps, _mm256_storeu_ps,
};

/// Output channels in one register tile.
pub const MR: usize = 4;
/// Filter taps in one weight-gradient tile.
pub const TAPS: usize = 3;
/// `f32` lanes in one AVX register.
pub const LANES: usize = 8;

/// Proof that the CPU runs AVX2 and FMA: only [`Avx2::detect`] makes one, so a method that
/// takes it may run those instructions.
#[derive(Clone, Copy, Debug)]
pub struct Avx2(());

impl Avx2 {
    /// `Some` when this CPU has AVX2 and FMA.
    pub fn detect() -> Option<Self> {
        (is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma")).then_some(Self(()))
    }

    /// One forward tile: `R` output channels × `8·NV` consecutive pixels,
    /// `out[i·out_stride + p] = Σ_c Σ_t w[(c·T + t)·R + i] · src[c·plane + offsets[t] + p]`.
    ///
    /// # Shapes
    /// - `w`: `[channels, offsets.len(), R]`, the tile's weights packed tap by tap
    /// - `src`: at least `(channels − 1)·plane + max(offsets) + 8·NV` floats
    /// - `out`: `R` rows of `8·NV` pixels, `out_stride` apart
    ///
    /// # Panics
    /// When an operand is shorter than its shape.
    #[allow(clippy::too_many_arguments)]
    pub fn forward_tile<const R: usize, const NV: usize>(
        self,
        w: &[f32],
        src: &[f32],
        plane: usize,
        offsets: &[usize],
        channels: usize,
        out: &mut [f32],
        out_stride: usize,
    ) {
        let reach = reach(channels, plane, offsets) + LANES * NV;
        assert!(
            w.len() >= channels * offsets.len() * R,
            "forward tile: weights"
        );
        assert!(src.len() >= reach, "forward tile: source");
        assert!(
            out.len() >= (R - 1) * out_stride + LANES * NV,
            "forward tile: output"
        );
        // SAFETY: `self` proves AVX2 and FMA. The loop reads w[0..channels·taps·R],
        // src[c·plane + off + 0..8·NV] ≤ reach and writes out[i·out_stride + 0..8·NV] for
        // i < R: all within the lengths asserted above.
        unsafe {
            forward_tile::<R, NV>(
                w.as_ptr(),
                src.as_ptr(),
                plane,
                offsets,
                channels,
                out.as_mut_ptr(),
                out_stride,
            )
        }
    }

    /// One weight-gradient tile: `MR` output channels × `TAPS` taps of one input channel,
    /// summed over `images` images laid out `strides = [dy image, src image]` apart:
    /// `acc[i][t] = Σ_n Σ_{p < 8·vectors} dy[n·dy_image + i·dy_stride + p] ·
    /// src[n·src_image + offsets[t] + p]`.
    ///
    /// # Shapes
    /// - `dy`: per image, `MR` rows of at least `8·vectors` floats, `dy_stride` apart
    /// - `src`: per image, at least `max(offsets) + 8·vectors` floats
    ///
    /// # Panics
    /// When an operand is shorter than its shape.
    #[allow(clippy::too_many_arguments)]
    pub fn weight_tile(
        self,
        dy: &[f32],
        dy_stride: usize,
        src: &[f32],
        strides: [usize; 2],
        offsets: [usize; TAPS],
        vectors: usize,
        images: usize,
    ) -> [[f32; TAPS]; MR] {
        let len = LANES * vectors;
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
        // SAFETY: `self` proves AVX2 and FMA. The loop reads, for n < images,
        // dy[n·dy_image + i·dy_stride + 0..len] for i < MR and src[n·src_image + off + 0..len]
        // for each offset: within the lengths asserted above.
        unsafe {
            weight_tile(
                dy.as_ptr(),
                dy_stride,
                src.as_ptr(),
                strides,
                offsets,
                vectors,
                images,
            )
        }
    }
}

/// The first index past the start of the last channel's farthest tap.
fn reach(channels: usize, plane: usize, offsets: &[usize]) -> usize {
    (channels.max(1) - 1) * plane + offsets.iter().copied().max().unwrap_or(0)
}

/// # Safety
/// AVX2 and FMA must be available, and the pointers valid for the reads and writes
/// [`Avx2::forward_tile`] describes.
#[target_feature(enable = "avx2,fma")]
unsafe fn forward_tile<const R: usize, const NV: usize>(
    w: *const f32,
    src: *const f32,
    plane: usize,
    offsets: &[usize],
    channels: usize,
    out: *mut f32,
    out_stride: usize,
) {
    let mut acc = [[_mm256_setzero_ps(); NV]; R];
    let mut w = w;
    for c in 0..channels {
        for &off in offsets {
            let mut x = [_mm256_setzero_ps(); NV];
            for (j, x) in x.iter_mut().enumerate() {
                // SAFETY: c·plane + off + 8j + 8 ≤ the source length (caller).
                *x = unsafe { _mm256_loadu_ps(src.add(c * plane + off + LANES * j)) };
            }
            for (i, acc) in acc.iter_mut().enumerate() {
                // SAFETY: w is advanced by R per tap, at most channels·taps·R (caller).
                let wi = _mm256_broadcast_ss(unsafe { &*w.add(i) });
                for (acc, x) in acc.iter_mut().zip(&x) {
                    *acc = _mm256_fmadd_ps(wi, *x, *acc);
                }
            }
            // SAFETY: stays within, or one past, the packed weights (caller).
            w = unsafe { w.add(R) };
        }
    }
    for (i, acc) in acc.iter().enumerate() {
        for (j, acc) in acc.iter().enumerate() {
            // SAFETY: i·out_stride + 8j + 8 ≤ the output length (caller).
            unsafe { _mm256_storeu_ps(out.add(i * out_stride + LANES * j), *acc) };
        }
    }
}

/// # Safety
/// AVX2 and FMA must be available, and the pointers valid for the reads
/// [`Avx2::weight_tile`] describes.
#[target_feature(enable = "avx2,fma")]
unsafe fn weight_tile(
    dy: *const f32,
    dy_stride: usize,
    src: *const f32,
    [dy_image, src_image]: [usize; 2],
    offsets: [usize; TAPS],
    vectors: usize,
    images: usize,
) -> [[f32; TAPS]; MR] {
    let mut acc = [[_mm256_setzero_ps(); TAPS]; MR];
    for n in 0..images {
        for v in 0..vectors {
            let p = LANES * v;
            let mut x = [_mm256_setzero_ps(); TAPS];
            for (x, off) in x.iter_mut().zip(offsets) {
                // SAFETY: n·src_image + off + p + 8 ≤ the source length (caller).
                *x = unsafe { _mm256_loadu_ps(src.add(n * src_image + off + p)) };
            }
            for (i, acc) in acc.iter_mut().enumerate() {
                // SAFETY: n·dy_image + i·dy_stride + p + 8 ≤ the gradient length (caller).
                let d = unsafe { _mm256_loadu_ps(dy.add(n * dy_image + i * dy_stride + p)) };
                for (acc, x) in acc.iter_mut().zip(&x) {
                    *acc = _mm256_fmadd_ps(d, *x, *acc);
                }
            }
        }
    }
    let mut sums = [[0.0; TAPS]; MR];
    for (sums, acc) in sums.iter_mut().zip(&acc) {
        for (sum, acc) in sums.iter_mut().zip(acc) {
            *sum = lane_sum(*acc);
        }
    }
    sums
}

/// The sum of a register's eight lanes.
#[target_feature(enable = "avx2,fma")]
fn lane_sum(v: __m256) -> f32 {
    let quad = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps::<1>(v));
    let pair = _mm_add_ps(quad, _mm_movehl_ps(quad, quad));
    _mm_cvtss_f32(_mm_add_ss(pair, _mm_shuffle_ps::<1>(pair, pair)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(len: usize, seed: usize) -> Vec<f32> {
        (0..len)
            .map(|i| ((i * 7 + seed * 13) % 17) as f32 * 0.25 - 2.0)
            .collect()
    }

    #[test]
    fn forward_tile_matches_its_formula() {
        let Some(avx2) = Avx2::detect() else { return };
        let (channels, plane, offsets) = (3, 40, [0usize, 1, 5, 11]);
        let taps = offsets.len();
        let w = pattern(channels * taps * MR, 1);
        let src = pattern(reach(channels, plane, &offsets) + 24, 2);
        let out_stride = 30;
        let mut out = vec![f32::NAN; (MR - 1) * out_stride + 24];
        avx2.forward_tile::<MR, 3>(&w, &src, plane, &offsets, channels, &mut out, out_stride);
        for i in 0..MR {
            for p in 0..24 {
                let mut want = 0.0f32;
                for c in 0..channels {
                    for (t, off) in offsets.iter().enumerate() {
                        want += w[(c * taps + t) * MR + i] * src[c * plane + off + p];
                    }
                }
                let got = out[i * out_stride + p];
                assert!(
                    (got - want).abs() < 1e-4,
                    "row {i} pixel {p}: {got} vs {want}"
                );
            }
        }
    }

    #[test]
    fn weight_tile_matches_its_formula() {
        let Some(avx2) = Avx2::detect() else { return };
        let (vectors, dy_stride, offsets, images) = (5, 43, [0usize, 2, 9], 3);
        let strides @ [dy_image, src_image] = [(MR - 1) * dy_stride + 8 * vectors + 2, 61];
        let dy = pattern(images * dy_image, 3);
        let src = pattern((images - 1) * src_image + 9 + 8 * vectors, 4);
        let got = avx2.weight_tile(&dy, dy_stride, &src, strides, offsets, vectors, images);
        for (i, row) in got.iter().enumerate() {
            for (t, off) in offsets.iter().enumerate() {
                let want: f32 = (0..images)
                    .flat_map(|n| (0..8 * vectors).map(move |p| (n, p)))
                    .map(|(n, p)| {
                        dy[n * dy_image + i * dy_stride + p] * src[n * src_image + off + p]
                    })
                    .sum();
                assert!(
                    (row[t] - want).abs() < 1e-3,
                    "{i},{t}: {} vs {want}",
                    row[t]
                );
            }
        }
    }

    #[test]
    #[should_panic(expected = "forward tile: source")]
    fn a_short_source_is_refused() {
        let Some(avx2) = Avx2::detect() else {
            panic!("forward tile: source (no AVX2 here: nothing to refuse)")
        };
        let mut out = vec![0.0; MR * 8];
        avx2.forward_tile::<MR, 1>(&[0.0; MR], &[0.0; 7], 0, &[0], 1, &mut out, 8);
    }
}

//! The tiles in AVX2 + FMA registers: 8 lanes.

use std::arch::x86_64::{
    __m256, _mm_add_ps, _mm_add_ss, _mm_cvtss_f32, _mm_movehl_ps, _mm_shuffle_ps,
    _mm256_broadcast_ss, _mm256_castps256_ps128, _mm256_extractf128_ps, _mm256_fmadd_ps,
    _mm256_loadu_ps, _mm256_setzero_ps, _mm256_storeu_ps,
};

use super::Register;

/// Proof that the CPU runs AVX2 and FMA: only [`Avx2::detect`] makes one, so a method that
/// takes it may run those instructions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Avx2(());

impl Avx2 {
    /// `Some` when this CPU has AVX2 and FMA.
    pub fn detect() -> Option<Self> {
        (is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma")).then_some(Self(()))
    }
}

/// An AVX register of 8 `f32`.
#[derive(Clone, Copy)]
struct Ymm(__m256);

impl Register for Ymm {
    const LANES: usize = 8;

    #[inline(always)]
    unsafe fn zero() -> Self {
        // SAFETY: AVX is available (the trait's contract).
        Ymm(unsafe { _mm256_setzero_ps() })
    }

    #[inline(always)]
    unsafe fn load(p: *const f32) -> Self {
        // SAFETY: AVX is available and p is valid for 8 reads (the trait's contract).
        Ymm(unsafe { _mm256_loadu_ps(p) })
    }

    #[inline(always)]
    unsafe fn splat(p: *const f32) -> Self {
        // SAFETY: AVX is available and p is valid for a read (the trait's contract).
        Ymm(unsafe { _mm256_broadcast_ss(&*p) })
    }

    #[inline(always)]
    unsafe fn mul_add(a: Self, b: Self, acc: Self) -> Self {
        // SAFETY: FMA is available (the trait's contract).
        Ymm(unsafe { _mm256_fmadd_ps(a.0, b.0, acc.0) })
    }

    #[inline(always)]
    unsafe fn store(self, p: *mut f32) {
        // SAFETY: AVX is available and p is valid for 8 writes (the trait's contract).
        unsafe { _mm256_storeu_ps(p, self.0) }
    }

    #[inline(always)]
    unsafe fn sum(self) -> f32 {
        // SAFETY: AVX is available (the trait's contract).
        unsafe {
            let v = self.0;
            let quad = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps::<1>(v));
            let pair = _mm_add_ps(quad, _mm_movehl_ps(quad, quad));
            _mm_cvtss_f32(_mm_add_ss(pair, _mm_shuffle_ps::<1>(pair, pair)))
        }
    }
}

compiled_tiles!(Avx2, Ymm, "avx2,fma", 2);

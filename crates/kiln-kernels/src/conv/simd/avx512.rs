//! The tiles in AVX-512 registers: 16 lanes.

use std::arch::x86_64::{
    __m512, _mm512_fmadd_ps, _mm512_loadu_ps, _mm512_reduce_add_ps, _mm512_set1_ps,
    _mm512_setzero_ps, _mm512_storeu_ps,
};

use super::Register;

/// Proof that the CPU runs AVX-512 (foundation): only [`Avx512::detect`] makes one, so a
/// method that takes it may run those instructions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Avx512(());

impl Avx512 {
    /// `Some` when this CPU has AVX-512F.
    pub fn detect() -> Option<Self> {
        is_x86_feature_detected!("avx512f").then_some(Self(()))
    }
}

/// An AVX-512 register of 16 `f32`.
#[derive(Clone, Copy)]
struct Zmm(__m512);

impl Register for Zmm {
    const LANES: usize = 16;

    #[inline(always)]
    unsafe fn zero() -> Self {
        // SAFETY: AVX-512F is available (the trait's contract).
        Zmm(unsafe { _mm512_setzero_ps() })
    }

    #[inline(always)]
    unsafe fn load(p: *const f32) -> Self {
        // SAFETY: AVX-512F is available and p is valid for 16 reads (the trait's contract).
        Zmm(unsafe { _mm512_loadu_ps(p) })
    }

    #[inline(always)]
    unsafe fn splat(p: *const f32) -> Self {
        // SAFETY: AVX-512F is available and p is valid for a read (the trait's contract).
        Zmm(unsafe { _mm512_set1_ps(*p) })
    }

    #[inline(always)]
    unsafe fn mul_add(a: Self, b: Self, acc: Self) -> Self {
        // SAFETY: AVX-512F is available (the trait's contract).
        Zmm(unsafe { _mm512_fmadd_ps(a.0, b.0, acc.0) })
    }

    #[inline(always)]
    unsafe fn store(self, p: *mut f32) {
        // SAFETY: AVX-512F is available and p is valid for 16 writes (the trait's contract).
        unsafe { _mm512_storeu_ps(p, self.0) }
    }

    #[inline(always)]
    unsafe fn sum(self) -> f32 {
        // SAFETY: AVX-512F is available (the trait's contract).
        unsafe { _mm512_reduce_add_ps(self.0) }
    }
}

compiled_tiles!(Avx512, Zmm, "avx512f", 4);

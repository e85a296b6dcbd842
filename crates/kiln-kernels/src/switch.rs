//! Whether kiln's kernels are used, and on which devices.

use core::sync::atomic::{AtomicU8, AtomicUsize, Ordering};

use burn::backend::DispatchDevice;
use burn::tensor::Device;

const UNSET: u8 = 0;
const ON: u8 = 1;
const OFF: u8 = 2;

static STATE: AtomicU8 = AtomicU8::new(UNSET);
static CALLS: AtomicUsize = AtomicUsize::new(0);

/// Whether kiln's kernels are switched on: by default yes, unless the environment variable
/// `KILN_KERNELS` is `off`, `0` or `burn` (read once), or [`set_enabled`] said otherwise.
pub fn enabled() -> bool {
    match STATE.load(Ordering::Relaxed) {
        ON => true,
        OFF => false,
        _ => {
            let off = std::env::var("KILN_KERNELS")
                .is_ok_and(|v| matches!(v.trim(), "off" | "0" | "burn"));
            STATE.store(if off { OFF } else { ON }, Ordering::Relaxed);
            !off
        }
    }
}

/// The widest SIMD kernels kiln's convolutions may use, for testing the narrower paths on a
/// wider CPU and for comparing them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SimdLimit {
    /// No SIMD kernels: every convolution on im2col + gemm, the path of a CPU without AVX2.
    None,
    /// At most the AVX2 register tiles.
    Avx2,
    /// The AVX-512 tiles where the CPU has them (the widest kiln has).
    Avx512,
}

/// 0 until read from the environment, else 1 + the limit's discriminant.
static SIMD: AtomicU8 = AtomicU8::new(UNSET);

/// The limits by discriminant.
const LIMITS: [SimdLimit; 3] = [SimdLimit::None, SimdLimit::Avx2, SimdLimit::Avx512];

/// The widest SIMD kernels kiln may use: the environment variable `KILN_SIMD` (read once) says
/// `none` (or `off`, `0`), `avx2` or `avx512`; unset, the widest the CPU has. [`set_simd_limit`]
/// overrides it. Another word is reported on standard error (a mistyped limit must not
/// silently test the wrong path) and the widest is used.
pub fn simd_limit() -> SimdLimit {
    match SIMD.load(Ordering::Relaxed) {
        UNSET => {
            let limit = match std::env::var("KILN_SIMD").as_deref().map(str::trim) {
                Err(_) | Ok("") | Ok("avx512") => SimdLimit::Avx512,
                Ok("avx2") => SimdLimit::Avx2,
                Ok("none" | "off" | "0") => SimdLimit::None,
                Ok(other) => {
                    eprintln!("kiln: KILN_SIMD={other} is not none, avx2 or avx512; using avx512");
                    SimdLimit::Avx512
                }
            };
            set_simd_limit(limit);
            limit
        }
        set => LIMITS[usize::from(set) - 1],
    }
}

/// Sets the widest SIMD kernels kiln may use, for the whole process (benchmarks compare them).
pub fn set_simd_limit(limit: SimdLimit) {
    SIMD.store(limit as u8 + 1, Ordering::Relaxed);
}

/// Switches kiln's kernels on or off for the whole process (benchmarks compare the two).
pub fn set_enabled(on: bool) {
    STATE.store(if on { ON } else { OFF }, Ordering::Relaxed);
}

/// Whether the kernels are enabled and serve `device`: flex or ndarray, with or without
/// autodiff. wgpu, cuda and the other backends keep burn's operators.
pub fn runs_on(device: &Device) -> bool {
    fn cpu(device: &DispatchDevice) -> bool {
        match device {
            #[cfg(feature = "flex")]
            DispatchDevice::Flex(_) => true,
            #[cfg(feature = "ndarray")]
            DispatchDevice::NdArray(_) => true,
            DispatchDevice::Autodiff(inner) => cpu(inner),
            #[allow(unreachable_patterns)]
            _ => false,
        }
    }
    enabled() && cpu(device.as_dispatch())
}

pub(crate) fn count_call() {
    CALLS.fetch_add(1, Ordering::Relaxed);
}

pub(crate) fn calls() -> usize {
    CALLS.load(Ordering::Relaxed)
}

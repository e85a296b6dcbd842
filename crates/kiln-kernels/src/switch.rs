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

static SIMD: AtomicU8 = AtomicU8::new(UNSET);

/// Whether kiln's own SIMD kernels (the AVX2 direct convolution) may run where the CPU has
/// them: yes unless the environment variable `KILN_SIMD` is `none`, `off` or `0` (read once),
/// which keeps every convolution on im2col + gemm, the path a CPU without AVX2 takes.
pub fn simd_enabled() -> bool {
    match SIMD.load(Ordering::Relaxed) {
        ON => true,
        OFF => false,
        _ => {
            let off =
                std::env::var("KILN_SIMD").is_ok_and(|v| matches!(v.trim(), "none" | "off" | "0"));
            SIMD.store(if off { OFF } else { ON }, Ordering::Relaxed);
            !off
        }
    }
}

/// Lets kiln's SIMD kernels run, or keeps convolutions on im2col + gemm, for the whole
/// process (benchmarks compare the two).
pub fn set_simd_enabled(on: bool) {
    SIMD.store(if on { ON } else { OFF }, Ordering::Relaxed);
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
            DispatchDevice::Flex(_) | DispatchDevice::NdArray(_) => true,
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

//! Plain loops compiled for the widest vector registers the CPU has: batch norm's and the
//! activations' element-wise passes are written as ordinary Rust, which the compiler
//! vectorises for the target it is given, and the default x86-64 target has only SSE's four
//! lanes. [`widest`] runs such a loop inlined into a copy compiled for AVX-512 or AVX2, chosen
//! at run time within `KILN_SIMD`'s limit, as the convolution tiles are.

use rayon::prelude::*;

#[cfg(target_arch = "x86_64")]
use crate::conv::simd::Simd;

/// `out[i] = element(k)(first[i], second[i])` for `i` in chunk `k` of `chunk` values, in
/// parallel over chunks and in the [`widest`] registers: `element` gives each chunk's
/// function (a batch-norm plane's channel), fixed within the chunk, so the inner loop is a
/// plain vectorisable map. The output is written once, without zero-filling it first: the
/// memset took a third of a batch-norm forward pass.
///
/// # Panics
/// When `first` and `second` differ in length.
pub(crate) fn map_pairs<F: Fn(f32, f32) -> f32>(
    first: &[f32],
    second: &[f32],
    chunk: usize,
    element: impl Fn(usize) -> F + Sync,
) -> Vec<f32> {
    let len = first.len();
    assert_eq!(second.len(), len, "element-wise map: operand sizes differ");
    let chunk = chunk.max(1);
    let mut out = Vec::with_capacity(len);
    out.spare_capacity_mut()[..len]
        .par_chunks_mut(chunk)
        .zip(first.par_chunks(chunk).zip(second.par_chunks(chunk)))
        .enumerate()
        .for_each(|(k, (out, (first, second)))| {
            let f = element(k);
            widest(
                #[inline(always)]
                || {
                    for ((o, &u), &v) in out.iter_mut().zip(first).zip(second) {
                        o.write(f(u, v));
                    }
                },
            );
        });
    // SAFETY: `first` and `second` hold `len` elements (asserted), so each of the `len`
    // spare elements, chunk by chunk, was zipped with a pair of them and written.
    unsafe { out.set_len(len) };
    out
}

/// Runs `f`, inlined into a function compiled for AVX-512 (or AVX2) when the CPU has it and
/// `KILN_SIMD` allows it, and as compiled for the default target otherwise. Give it a closure
/// marked `#[inline(always)]` whose loops are inlined too: what `f` calls out of line is
/// compiled for the default target.
///
/// The instruction sets change how many lanes an operation covers, never which values are
/// added in which order (Rust contracts no multiply-add on its own): `f` returns the same
/// result on every path.
#[inline(always)]
pub(crate) fn widest<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    return on(Simd::detect(), f);
    #[cfg(not(target_arch = "x86_64"))]
    f()
}

/// Runs `f` inlined into a function compiled for `simd`'s instructions, or for the default
/// target with `None`.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn on<R>(simd: Option<Simd>, f: impl FnOnce() -> R) -> R {
    match simd {
        Some(Simd::Avx512(_)) => {
            #[target_feature(enable = "avx512f")]
            fn avx512<R>(f: impl FnOnce() -> R) -> R {
                f()
            }
            // SAFETY: only `Avx512::detect` makes the token, after detecting AVX-512F on this
            // CPU, the one feature `avx512` is compiled with.
            return unsafe { avx512(f) };
        }
        Some(Simd::Avx2(_)) => {
            #[target_feature(enable = "avx2,fma")]
            fn avx2<R>(f: impl FnOnce() -> R) -> R {
                f()
            }
            // SAFETY: only `Avx2::detect` makes the token, after detecting AVX2 and FMA on this
            // CPU, the features `avx2` is compiled with.
            return unsafe { avx2(f) };
        }
        None => {}
    }
    f()
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use super::*;

    /// A lane-parallel sum of squares and an element-wise map.
    #[inline(always)]
    fn passes(x: &[f32]) -> ([f32; 16], Vec<f32>) {
        let mut lanes = [0.0f32; 16];
        for chunk in x.as_chunks::<16>().0 {
            for (lane, &v) in lanes.iter_mut().zip(chunk) {
                *lane += v * v - 0.5 * v;
            }
        }
        let mapped = x.iter().map(|&v| (1.7 * v + 0.3).max(0.0)).collect();
        (lanes, mapped)
    }

    /// Every instruction set the CPU has gives the default target's bits.
    #[test]
    fn every_path_gives_the_default_targets_result() {
        let x: Vec<f32> = (0..1003)
            .map(|i| ((i * 37) % 101) as f32 * 0.173 - 8.0)
            .collect();
        let (lanes, mapped) = on(None, || passes(&x));
        for simd in Simd::available() {
            let (got_lanes, got_mapped) = on(Some(simd), || passes(&x));
            assert_eq!(
                got_lanes.map(f32::to_bits),
                lanes.map(f32::to_bits),
                "{simd:?}"
            );
            let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&got_mapped), bits(&mapped), "{simd:?}");
        }
    }
}

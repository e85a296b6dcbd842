//! Max pooling over the planes of contiguous NCHW `f32` slices, in parallel over planes, with
//! the position of each window's maximum kept for the gradient.
//!
//! burn-flex pools through its 3-D operator, one rayon task per plane, and its backward pass
//! scatters through 64-bit indices: together they took a quarter of a compact ResNet-8
//! training step. Here a window's maximum is searched over its rows in the input plane
//! (padding never wins: it stands for −∞), and the gradient of each output goes back to that
//! maximum's position in its own input plane, so planes need no synchronisation.

use rayon::prelude::*;

use crate::conv::ConvGeometry;
use crate::wide::widest;

/// Planes per parallel job: enough work to amortise scheduling on small maps.
const PLANE_FLOATS: usize = 1 << 14;

/// Whether the pooling kernels serve `g` (a pooling window: `out_channels = in_channels`):
/// every window reads at least one input pixel, as PyTorch's rules (padding at most half the
/// window, a ceil-rounded last window starting inside the input) guarantee without dilation.
pub fn serves(g: &ConvGeometry) -> bool {
    let reads = |axis| axis_taps(g, axis).iter().all(|[first, last]| first < last);
    g.in_channels == g.out_channels && reads(0) && reads(1)
}

/// Each output's window taps `[first, last)` along `axis` (0: rows, 1: columns), clipped to
/// the input ([`taps`]).
fn axis_taps(g: &ConvGeometry, axis: usize) -> Vec<[usize; 2]> {
    let (out, filter, input) = match axis {
        0 => (g.out_h(), g.kernel_h, g.in_h),
        _ => (g.out_w(), g.kernel_w, g.in_w),
    };
    let before = g.padding[2 * axis];
    (0..out)
        .map(|o| taps(o, g.stride[axis], before, g.dilation[axis], filter, input))
        .collect()
}

/// The input positions `[start, end)` (with step `dilation`) of output `o`'s window along one
/// axis, clipped to the input, as tap indices `[first, last)` of the window.
fn taps(
    o: usize,
    stride: usize,
    before: usize,
    dilation: usize,
    filter: usize,
    input: usize,
) -> [usize; 2] {
    // Tap k reads padded position o·stride + k·dilation, input position that − before.
    let origin = o * stride;
    let first = before.saturating_sub(origin).div_ceil(dilation);
    let last = (0..filter)
        .rev()
        .find(|&k| origin + k * dilation < input + before)
        .map_or(0, |k| k + 1);
    [first.min(last), last]
}

/// Max pooling: each output is the maximum of its window's input pixels (NaN wins, as in
/// PyTorch), with the position `y·in_w + x` of that maximum in its input plane (the first one
/// in row-major order on ties).
///
/// # Shapes
/// - `x`: `[batch, channels, in_h, in_w]` of `g`
/// - returns `([batch, channels, out_h, out_w], the same shape of positions)`
///
/// # Panics
/// When [`serves`] is false for `g` or `x` does not hold its input.
pub fn max_pool_forward(g: &ConvGeometry, x: &[f32]) -> (Vec<f32>, Vec<u32>) {
    assert!(serves(g), "max pool: not a window it serves: {g:?}");
    let (in_len, out_len) = (g.in_pixels(), g.out_pixels());
    assert_eq!(
        x.len(),
        g.batch * g.in_channels * in_len,
        "max pool: input size"
    );
    assert!(u32::try_from(in_len).is_ok(), "max pool: plane too large");
    let planes = g.batch * g.in_channels;
    let per_job = (PLANE_FLOATS / in_len).max(1);
    let (mut y, mut at) = (vec![0.0; planes * out_len], vec![0u32; planes * out_len]);
    let (rows, columns) = (axis_taps(g, 0), axis_taps(g, 1));
    let reach = column_reach(g);
    y.par_chunks_mut(per_job * out_len)
        .zip(at.par_chunks_mut(per_job * out_len))
        .zip(x.par_chunks(per_job * in_len))
        .for_each(|((y, at), x)| {
            let planes = y
                .chunks_exact_mut(out_len)
                .zip(at.chunks_exact_mut(out_len));
            for ((y, at), x) in planes.zip(x.chunks_exact(in_len)) {
                widest(
                    #[inline(always)]
                    || plane_max(g, x, [&rows, &columns, &reach], y, at),
                );
            }
        });
    (y, at)
}

/// One plane of [`max_pool_forward`]: `rows` holds each output row's window rows (never
/// empty, as [`serves`] checked) and `columns` each output column's window columns; a window
/// column `c` is read by the outputs `reach[c]`.
///
/// Each window tap is applied to a whole output row at a time, so that the outputs' running
/// maxima are independent: one output's four taps in a row made a chain of dependent
/// compare-and-selects that took a fifth of a compact ResNet-8 training step.
#[inline(always)]
fn plane_max(
    g: &ConvGeometry,
    x: &[f32],
    [rows, columns, reach]: [&[[usize; 2]]; 3],
    y: &mut [f32],
    at: &mut [u32],
) {
    let out_w = g.out_w();
    let (outputs, positions) = (y.chunks_exact_mut(out_w), at.chunks_exact_mut(out_w));
    for (oy, (y, at)) in outputs.zip(positions).enumerate() {
        let [r0, r1] = rows[oy];
        let input_row = |r: usize| (oy * g.stride[0] + r * g.dilation[0] - g.padding[0]) * g.in_w;
        // Each window starts at its first tap.
        for (ox, (y, at)) in y.iter_mut().zip(at.iter_mut()).enumerate() {
            let p =
                input_row(r0) + ox * g.stride[1] + columns[ox][0] * g.dilation[1] - g.padding[2];
            (*y, *at) = (x[p], p as u32);
        }
        for r in r0..r1 {
            let start = input_row(r);
            let row = &x[start..][..g.in_w];
            for (c, &[lo, hi]) in reach.iter().enumerate() {
                if lo == hi {
                    continue;
                }
                let first = lo * g.stride[1] + c * g.dilation[1] - g.padding[2];
                let (y, at) = (&mut y[lo..hi], &mut at[lo..hi]);
                let p = (start + first) as u32;
                match g.stride[1] {
                    1 => tap::<1>(&row[first..], y, at, p),
                    2 => tap::<2>(&row[first..], y, at, p),
                    3 => tap::<3>(&row[first..], y, at, p),
                    stride => {
                        let taps = row[first..].iter().step_by(stride);
                        for (k, ((y, at), &v)) in y.iter_mut().zip(at).zip(taps).enumerate() {
                            take_max(v, p + (k * stride) as u32, y, at);
                        }
                    }
                }
            }
        }
    }
}

/// One window tap over a row of outputs: `values[k·S]` (position `p + k·S`) for output `k`.
/// The stride is a constant, so the compiler vectorises the strided reads.
#[inline(always)]
fn tap<const S: usize>(values: &[f32], y: &mut [f32], at: &mut [u32], p: u32) {
    let n = y.len().min(at.len());
    if n == 0 {
        return;
    }
    let values = &values[..(n - 1) * S + 1];
    for k in 0..n {
        take_max(values[k * S], p + (k * S) as u32, &mut y[k], &mut at[k]);
    }
}

/// Keeps `(v, p)` in `(y, at)` where `v` wins: a greater value, or a NaN (PyTorch's rule).
#[inline(always)]
fn take_max(v: f32, p: u32, y: &mut f32, at: &mut u32) {
    let wins = (v > *y) | v.is_nan();
    (*y, *at) = if wins { (v, p) } else { (*y, *at) };
}

/// The outputs `[lo, hi)` whose windows read window column `c` inside the input, for each
/// column of the window.
fn column_reach(g: &ConvGeometry) -> Vec<[usize; 2]> {
    let (left, stride) = (g.padding[2], g.stride[1]);
    (0..g.kernel_w)
        .map(|c| {
            // Output ox reads padded column ox·stride + shift: inside when left ≤ it < in_w + left.
            let shift = c * g.dilation[1];
            let lo = left.saturating_sub(shift).div_ceil(stride);
            let hi = (g.in_w + left)
                .checked_sub(shift + 1)
                .map_or(0, |last| last / stride + 1)
                .min(g.out_w());
            [lo.min(hi), hi]
        })
        .collect()
}

/// The gradient of max pooling with respect to its input: each output's gradient added at
/// the position of its window's maximum, zero elsewhere.
///
/// # Shapes
/// - `grad`, `at`: `[batch, channels, out_h, out_w]` of `g`
/// - returns `[batch, channels, in_h, in_w]`
///
/// # Panics
/// When `grad` or `at` does not hold `g`'s output, or a position lies outside its plane.
pub fn max_pool_backward(g: &ConvGeometry, grad: &[f32], at: &[u32]) -> Vec<f32> {
    let (in_len, out_len) = (g.in_pixels(), g.out_pixels());
    let planes = g.batch * g.in_channels;
    assert_eq!(
        grad.len(),
        planes * out_len,
        "max pool backward: gradient size"
    );
    assert_eq!(
        at.len(),
        planes * out_len,
        "max pool backward: positions size"
    );
    let per_job = (PLANE_FLOATS / in_len.max(1)).max(1);
    let mut dx = vec![0.0; planes * in_len];
    dx.par_chunks_mut(per_job * in_len)
        .zip(grad.par_chunks(per_job * out_len))
        .zip(at.par_chunks(per_job * out_len))
        .for_each(|((dx, grad), at)| {
            let planes = dx.chunks_exact_mut(in_len).zip(grad.chunks_exact(out_len));
            for ((dx, grad), at) in planes.zip(at.chunks_exact(out_len)) {
                for (&g, &p) in grad.iter().zip(at) {
                    dx[p as usize] += g;
                }
            }
        });
    dx
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(
        in_hw: [usize; 2],
        kernel: usize,
        stride: usize,
        padding: [usize; 4],
    ) -> ConvGeometry {
        ConvGeometry {
            batch: 1,
            in_channels: 1,
            in_h: in_hw[0],
            in_w: in_hw[1],
            out_channels: 1,
            kernel_h: kernel,
            kernel_w: kernel,
            stride: [stride, stride],
            padding,
            dilation: [1, 1],
        }
    }

    /// A 3×3/2 window with padding 1 on a 4×4 plane, worked by hand: the maxima, their
    /// positions, and the gradient gathered back at them (twice where windows share one).
    #[test]
    fn a_padded_window_worked_by_hand() {
        let g = window([4, 4], 3, 2, [1, 1, 1, 1]);
        #[rustfmt::skip]
        let x = [
            1.0, 9.0, 2.0, 0.0,
            3.0, 4.0, 8.0, 5.0,
            7.0, 6.0, 0.5, 0.25,
            -1.0, -2.0, -3.0, 10.0,
        ];
        let (y, at) = max_pool_forward(&g, &x);
        // The first two windows share their maximum (9, at position 1).
        assert_eq!(y, [9.0, 9.0, 7.0, 10.0]);
        assert_eq!(at, [1, 1, 8, 15]);
        let dx = max_pool_backward(&g, &[1.0, 2.0, 3.0, 4.0], &at);
        let mut want = [0.0; 16];
        (want[1], want[8], want[15]) = (3.0, 3.0, 4.0);
        assert_eq!(dx, want);
    }

    /// NaN wins its window, and ties go to the first position.
    #[test]
    fn nan_wins_and_ties_go_first() {
        let g = window([2, 2], 2, 2, [0; 4]);
        let (y, at) = max_pool_forward(&g, &[1.0, f32::NAN, 5.0, 2.0]);
        assert!(y[0].is_nan());
        assert_eq!(at, [1]);
        let (y, at) = max_pool_forward(&g, &[3.0, 3.0, 1.0, 3.0]);
        assert_eq!((y, at), (vec![3.0], vec![0]));
    }

    /// A window made only of padding is refused: no maximum exists.
    #[test]
    fn windows_of_padding_only_are_not_served() {
        assert!(serves(&window([4, 4], 2, 2, [0, 1, 0, 1])));
        assert!(!serves(&window([4, 4], 2, 2, [2, 0, 0, 0])));
        assert!(!serves(&window([4, 4], 2, 2, [0, 3, 0, 0])));
    }
}

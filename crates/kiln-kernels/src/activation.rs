//! ReLU and its gradient on contiguous `f32` slices, in parallel. burn-flex runs both as one
//! serial loop, which on two cores takes twice as long as it needs to on every activation of
//! a training step.

use rayon::prelude::*;

/// Elements per parallel job: large enough to amortise scheduling, small enough to share an
/// activation of a few hundred thousand values between the cores.
const CHUNK: usize = 1 << 15;

/// Whether ReLU passes `x` through: positive, or NaN (which propagates, as in burn and
/// PyTorch).
fn passes(x: f32) -> bool {
    x.is_nan() || x > 0.0
}

/// `max(x, 0)` element-wise; NaN stays NaN.
///
/// # Shapes
/// - `x` and the result: any, the same
pub fn relu(x: &[f32]) -> Vec<f32> {
    let mut out = vec![0.0; x.len()];
    out.par_chunks_mut(CHUNK)
        .zip(x.par_chunks(CHUNK))
        .for_each(|(out, x)| {
            for (o, &x) in out.iter_mut().zip(x) {
                *o = if passes(x) { x } else { 0.0 };
            }
        });
    out
}

/// The gradient of ReLU with respect to its input, from its output: `grad` where the output
/// passed its input, else 0.
///
/// # Shapes
/// - `output`, `grad` and the result: any, the same
///
/// # Panics
/// When `output` and `grad` differ in length.
pub fn relu_backward(output: &[f32], grad: &[f32]) -> Vec<f32> {
    assert_eq!(output.len(), grad.len(), "relu backward: sizes differ");
    let mut dx = vec![0.0; grad.len()];
    dx.par_chunks_mut(CHUNK)
        .zip(output.par_chunks(CHUNK).zip(grad.par_chunks(CHUNK)))
        .for_each(|(dx, (y, dy))| {
            for ((d, &y), &g) in dx.iter_mut().zip(y).zip(dy) {
                *d = if passes(y) { g } else { 0.0 };
            }
        });
    dx
}

//! ReLU, a sum followed by ReLU, and their gradient on contiguous `f32` slices, in parallel and
//! in the widest vector registers the CPU has. burn-flex runs both as one serial loop, which on
//! two cores takes twice as long as it needs to on every activation of a training step.

use crate::wide::map_pairs;

/// Elements per parallel job: large enough to amortise scheduling, small enough to
/// share an activation of a few hundred thousand values between the cores.
const CHUNK: usize = 1 << 15;

/// Whether ReLU passes `x` through: positive, or NaN (which propagates, as in burn and
/// PyTorch).
pub(crate) fn passes(x: f32) -> bool {
    x.is_nan() || x > 0.0
}

/// ReLU of one value: `x` where it [`passes`], else 0.
pub(crate) fn relu_of(x: f32) -> f32 {
    if passes(x) { x } else { 0.0 }
}

/// `max(x, 0)` element-wise; NaN stays NaN.
///
/// # Shapes
/// - `x` and the result: any, the same
pub fn relu(x: &[f32]) -> Vec<f32> {
    map_pairs(x, x, CHUNK, |_| |x, _| relu_of(x))
}

/// `max(a + b, 0)` element-wise, the join of a residual block and the ReLU after it in one
/// pass; NaN stays NaN.
///
/// # Shapes
/// - `a`, `b` and the result: any, the same
///
/// # Panics
/// When `a` and `b` differ in length.
pub fn add_relu(a: &[f32], b: &[f32]) -> Vec<f32> {
    assert_eq!(a.len(), b.len(), "add + relu: sizes differ");
    map_pairs(a, b, CHUNK, |_| |a, b| relu_of(a + b))
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
    map_pairs(output, grad, CHUNK, |_| {
        |y, g| if passes(y) { g } else { 0.0 }
    })
}

//! The shape rules of the layers that are not sliding windows, and of the joins.
//!
//! Each rule takes the input shape `[W, H, D]` and the layer's numbers and returns the output
//! shape or a [`LayerError`] with the numbers. The layer types of `kiln-core` call them in
//! their `OUT` constants (panicking with [`LayerError::message`], so that `cargo check` rejects
//! the configuration), and the `kiln::model!` macro calls them at expansion time, where the
//! error's `Display` names the numbers and the fix.

use crate::rule::{Rounding, ShapeError, Window, window_out};

/// The finest dropout probability a `Dropout` layer holds: it keeps the probability in basis
/// points (1/10,000) as a const generic.
pub const DROPOUT_SCALE: usize = 10_000;

/// The finest batch-norm ε a `BatchNorm` layer holds: it keeps ε in nano-units (10⁻⁹) as a
/// const generic.
pub const EPS_SCALE: f64 = 1e9;

/// Why a layer or a join cannot take its input.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LayerError {
    /// A linear layer's input is not 1×1×N.
    NotFlat {
        /// The input `[W, H, D]`.
        input: [usize; 3],
    },
    /// A linear layer with no outputs.
    NoOutputs,
    /// An adaptive pooling with an output side of 0.
    EmptyPool {
        /// The requested output `[width, height]`.
        out: [usize; 2],
    },
    /// A zero-padded identity asked for fewer slices than its input has.
    Shrinks {
        /// The input depth D.
        depth: usize,
        /// The requested depth K.
        to: usize,
    },
    /// A sliding window (a convolution's, a pool's) has no whole output side.
    Window(ShapeError),
    /// A zero-padded identity's subsampling has no output (stride 0, an empty input).
    Sampling(ShapeError),
    /// A dropout probability outside [0, 1) once held in basis points.
    Probability {
        /// The probability as written.
        value: f64,
        /// Its basis points (rounded).
        basis_points: usize,
    },
    /// A batch-norm ε that is not positive once held in nano-units.
    Epsilon {
        /// ε as written.
        value: f64,
    },
    /// A residual branch and its shortcut give different shapes.
    Residual {
        /// The branch's output.
        branch: [usize; 3],
        /// The shortcut's output.
        shortcut: [usize; 3],
    },
    /// Concatenated branches differ in width or height.
    Concat {
        /// The first branch's output.
        first: [usize; 3],
        /// The first branch that differs from it.
        other: [usize; 3],
    },
}

impl LayerError {
    /// A message without numbers, for `const` panics (which cannot format values).
    pub const fn message(self) -> &'static str {
        match self {
            LayerError::NotFlat { .. } => {
                "kiln shape error: a linear layer takes a 1×1×N input; put `flatten` before it"
            }
            LayerError::NoOutputs => "kiln shape error: a linear layer needs at least one output",
            LayerError::EmptyPool { .. } => {
                "kiln shape error: adaptive pooling needs an output of at least 1×1"
            }
            LayerError::Shrinks { .. } => {
                "kiln shape error: a zero-padded identity shortcut cannot shrink the depth"
            }
            LayerError::Window(e) | LayerError::Sampling(e) => e.message(),
            LayerError::Probability { .. } => {
                "kiln shape error: dropout probability must be in [0, 1) (basis points below 10,000)"
            }
            LayerError::Epsilon { .. } => {
                "kiln shape error: batch-norm eps must be at least 1e-9 (1 nano-unit)"
            }
            LayerError::Residual { .. } => {
                "kiln shape error: residual branch and shortcut shapes differ; declare a \
                 projection shortcut (1x1 conv with stride)"
            }
            LayerError::Concat { .. } => {
                "kiln shape error: concatenated branches differ in width or height"
            }
        }
    }
}

/// `flatten`: every value of the input in one depth column, `[1, 1, W·H·D]`.
pub const fn flatten([w, h, d]: [usize; 3]) -> [usize; 3] {
    [1, 1, w * h * d]
}

/// `linear(outputs)`: a 1×1×N input to `[1, 1, outputs]`.
pub const fn linear(input: [usize; 3], outputs: usize) -> Result<[usize; 3], LayerError> {
    if input[0] != 1 || input[1] != 1 {
        return Err(LayerError::NotFlat { input });
    }
    if outputs == 0 {
        return Err(LayerError::NoOutputs);
    }
    Ok([1, 1, outputs])
}

/// `global_avg_pool`: the mean of each depth slice, `[1, 1, D]`.
pub const fn global_pool([_, _, d]: [usize; 3]) -> [usize; 3] {
    [1, 1, d]
}

/// `adaptive_avg_pool(width, height)`: any input to `[width, height, D]`.
pub const fn adaptive_pool(
    [_, _, d]: [usize; 3],
    [width, height]: [usize; 2],
) -> Result<[usize; 3], LayerError> {
    if width == 0 || height == 0 {
        return Err(LayerError::EmptyPool {
            out: [width, height],
        });
    }
    Ok([width, height, d])
}

/// The sampling window of `pad_identity(depth, stride)` along either axis: a 1×1 filter with
/// that stride, flooring (as a 1×1 strided convolution reads).
pub const fn identity_window(stride: usize) -> Window {
    Window {
        filter: 1,
        stride,
        padding: 0,
        dilation: 1,
        rounding: Rounding::Floor,
    }
}

/// A sliding window's output `[W2, H2, depth]` over an input of sides `[w, h]`:
/// [`window_out`] along both sides.
pub const fn window_shape(
    [w, h]: [usize; 2],
    win: Window,
    depth: usize,
) -> Result<[usize; 3], LayerError> {
    match (window_out(w, win), window_out(h, win)) {
        (Ok(w2), Ok(h2)) => Ok([w2, h2, depth]),
        (Err(e), _) | (_, Err(e)) => Err(LayerError::Window(e)),
    }
}

/// `pad_identity(depth, stride)`: every `stride`-th row and column, zero-padded to `depth`
/// slices.
pub const fn pad_identity(
    [w, h, d]: [usize; 3],
    depth: usize,
    stride: usize,
) -> Result<[usize; 3], LayerError> {
    if depth < d {
        return Err(LayerError::Shrinks {
            depth: d,
            to: depth,
        });
    }
    match window_shape([w, h], identity_window(stride), depth) {
        Err(LayerError::Window(e)) => Err(LayerError::Sampling(e)),
        shape => shape,
    }
}

/// A dropout probability as the basis points a `Dropout` layer holds, or why it has none: a
/// probability that is negative, not a number, or that rounds to 1 or more.
pub fn dropout_basis_points(value: f64) -> Result<usize, LayerError> {
    let scaled = (value * DROPOUT_SCALE as f64).round();
    if !(0.0..DROPOUT_SCALE as f64).contains(&scaled) {
        return Err(LayerError::Probability {
            value,
            basis_points: if scaled.is_finite() && scaled > 0.0 {
                scaled as usize
            } else {
                0
            },
        });
    }
    Ok(scaled as usize)
}

/// `dropout` holding `basis_points`: the input's shape, when the probability is below 1.
pub const fn dropout(input: [usize; 3], basis_points: usize) -> Result<[usize; 3], LayerError> {
    if basis_points >= DROPOUT_SCALE {
        return Err(LayerError::Probability {
            value: basis_points as f64 / DROPOUT_SCALE as f64,
            basis_points,
        });
    }
    Ok(input)
}

/// A batch-norm ε as the nano-units a `BatchNorm` layer holds, or why it has none: an ε that
/// is not positive, not a number, or that rounds to 0 nano-units.
pub fn eps_nano(value: f64) -> Result<usize, LayerError> {
    let scaled = (value * EPS_SCALE).round();
    if !(scaled >= 1.0 && scaled < usize::MAX as f64) {
        return Err(LayerError::Epsilon { value });
    }
    Ok(scaled as usize)
}

/// `batch_norm` holding ε in `nano` units: the input's shape, when ε is positive.
pub const fn batch_norm(input: [usize; 3], nano: usize) -> Result<[usize; 3], LayerError> {
    if nano == 0 {
        return Err(LayerError::Epsilon { value: 0.0 });
    }
    Ok(input)
}

/// A residual join: the branch and the shortcut give the same shape, which the sum has.
pub const fn residual(branch: [usize; 3], shortcut: [usize; 3]) -> Result<[usize; 3], LayerError> {
    if branch[0] != shortcut[0] || branch[1] != shortcut[1] || branch[2] != shortcut[2] {
        return Err(LayerError::Residual { branch, shortcut });
    }
    Ok(branch)
}

/// A depth concatenation: every branch has the first's width and height; the depths add up.
pub const fn concat(branches: &[[usize; 3]]) -> Result<[usize; 3], LayerError> {
    let first = branches[0];
    let mut out = first;
    let mut i = 1;
    while i < branches.len() {
        let other = branches[i];
        if other[0] != first[0] || other[1] != first[1] {
            return Err(LayerError::Concat { first, other });
        }
        out[2] += other[2];
        i += 1;
    }
    Ok(out)
}

/// `Ok(shape)`'s shape, or a panic with the error's [`LayerError::message`]: the form the
/// layer types' `OUT` constants and the [`Join`] constants evaluate, so that
/// `cargo check` rejects the configuration. `#[track_caller]`: rustc's error points at the
/// constant being defined, without a trace through this function.
#[track_caller]
pub const fn or_panic(shape: Result<[usize; 3], LayerError>) -> [usize; 3] {
    match shape {
        Ok(out) => out,
        Err(e) => panic!("{}", e.message()),
    }
}

/// Two shapes, `[W1, H1, D1]` and `[W2, H2, D2]`, to be joined: the join rules as constants of
/// a type that names the numbers, so that rustc's error about a join of named constants quotes
/// them (`Join<16, 16, 8, 16, 16, 3>`). `kiln::model!`'s residual and concatenation constants
/// are these.
pub struct Join<
    const W1: usize,
    const H1: usize,
    const D1: usize,
    const W2: usize,
    const H2: usize,
    const D2: usize,
>;

impl<
    const W1: usize,
    const H1: usize,
    const D1: usize,
    const W2: usize,
    const H2: usize,
    const D2: usize,
> Join<W1, H1, D1, W2, H2, D2>
{
    /// The residual add of a branch `[W1, H1, D1]` and a shortcut `[W2, H2, D2]`
    /// ([`residual`]).
    pub const RESIDUAL: [usize; 3] = or_panic(residual([W1, H1, D1], [W2, H2, D2]));
    /// The depth concatenation of `[W1, H1, D1]` and `[W2, H2, D2]` ([`concat()`]).
    pub const CONCAT: [usize; 3] = or_panic(concat(&[[W1, H1, D1], [W2, H2, D2]]));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_takes_only_flat_inputs_and_some_outputs() {
        assert_eq!(linear([1, 1, 400], 10), Ok([1, 1, 10]));
        assert_eq!(
            linear([10, 10, 4], 10),
            Err(LayerError::NotFlat { input: [10, 10, 4] })
        );
        assert_eq!(linear([1, 1, 400], 0), Err(LayerError::NoOutputs));
        assert_eq!(linear(flatten([10, 10, 4]), 3), Ok([1, 1, 3]));
    }

    #[test]
    fn a_window_shape_is_the_window_rule_on_both_sides() {
        // (28 − 3 + 2)/1 + 1 = 28; (10 − 3)/2 + 1 = 4.5. With F = 3, S = 2, P = 1 a 21×10
        // input fits its width, (21 − 3 + 2)/2 + 1 = 11, not its height, (10 − 3 + 2)/2 + 1 =
        // 5.5; a 21×9 one gives 11×5.
        assert_eq!(
            window_shape([28, 28], Window::new(3, 1, 1), 16),
            Ok([28, 28, 16])
        );
        let not_whole = ShapeError::NotInteger {
            numerator: 7,
            stride: 2,
        };
        assert_eq!(
            window_shape([10, 10], Window::new(3, 2, 0), 8),
            Err(LayerError::Window(not_whole))
        );
        assert_eq!(
            window_shape([21, 10], Window::new(3, 2, 1), 8),
            Err(LayerError::Window(ShapeError::NotInteger {
                numerator: 9,
                stride: 2
            }))
        );
        assert_eq!(
            window_shape([21, 9], Window::new(3, 2, 1), 8),
            Ok([11, 5, 8])
        );
    }

    #[test]
    fn joins_are_the_join_rules_as_constants() {
        assert_eq!(Join::<14, 14, 8, 14, 14, 8>::RESIDUAL, [14, 14, 8]);
        assert_eq!(Join::<14, 14, 8, 14, 14, 24>::CONCAT, [14, 14, 32]);
        assert_eq!(
            Join::<7, 7, 64, 7, 7, 64>::RESIDUAL,
            residual([7, 7, 64], [7, 7, 64]).unwrap()
        );
    }

    #[test]
    fn pools_keep_the_depth() {
        assert_eq!(global_pool([7, 7, 64]), [1, 1, 64]);
        assert_eq!(adaptive_pool([13, 13, 256], [6, 6]), Ok([6, 6, 256]));
        assert_eq!(
            adaptive_pool([13, 13, 256], [0, 6]),
            Err(LayerError::EmptyPool { out: [0, 6] })
        );
    }

    #[test]
    fn pad_identity_subsamples_by_floor_and_never_shrinks() {
        // ⌊(W − 1)/S⌋ + 1, as a 1×1 convolution of stride S reads.
        for w in 1..40 {
            for s in 1..4 {
                assert_eq!(
                    pad_identity([w, w + 1, 16], 32, s),
                    Ok([(w - 1) / s + 1, w / s + 1, 32])
                );
            }
        }
        assert_eq!(
            pad_identity([8, 8, 32], 16, 1),
            Err(LayerError::Shrinks { depth: 32, to: 16 })
        );
        assert_eq!(
            pad_identity([8, 8, 16], 16, 0),
            Err(LayerError::Sampling(ShapeError::ZeroStride))
        );
    }

    #[test]
    fn dropout_probabilities_that_round_to_one_are_refused() {
        assert_eq!(dropout_basis_points(0.5), Ok(5_000));
        assert_eq!(dropout_basis_points(0.0), Ok(0));
        assert_eq!(dropout_basis_points(0.99994), Ok(9_999));
        for bad in [0.99996, 1.0, 1.5, -0.1, f64::NAN, f64::INFINITY] {
            assert!(dropout_basis_points(bad).is_err(), "{bad} accepted");
        }
        assert_eq!(dropout([5, 5, 3], 9_999), Ok([5, 5, 3]));
        assert!(dropout([5, 5, 3], DROPOUT_SCALE).is_err());
    }

    #[test]
    fn eps_below_a_nano_unit_is_refused() {
        assert_eq!(eps_nano(1e-5), Ok(10_000));
        assert_eq!(eps_nano(1e-3), Ok(1_000_000));
        assert_eq!(eps_nano(1e-9), Ok(1));
        for bad in [1e-10, 0.0, -1e-5, f64::NAN, f64::INFINITY] {
            assert!(eps_nano(bad).is_err(), "{bad} accepted");
        }
        assert_eq!(batch_norm([5, 5, 3], 1), Ok([5, 5, 3]));
        assert!(batch_norm([5, 5, 3], 0).is_err());
    }

    #[test]
    fn joins_need_matching_shapes() {
        assert_eq!(residual([8, 8, 32], [8, 8, 32]), Ok([8, 8, 32]));
        assert!(residual([8, 8, 32], [16, 16, 16]).is_err());
        assert_eq!(
            concat(&[[7, 7, 64], [7, 7, 32], [7, 7, 16]]),
            Ok([7, 7, 112])
        );
        assert_eq!(
            concat(&[[7, 7, 64], [7, 7, 32], [6, 7, 16]]),
            Err(LayerError::Concat {
                first: [7, 7, 64],
                other: [6, 7, 16]
            })
        );
    }

    #[test]
    fn errors_name_their_numbers() {
        let text = LayerError::Probability {
            value: 0.99996,
            basis_points: 10_000,
        }
        .to_string();
        assert!(
            text.contains("0.99996") && text.contains("0.9999"),
            "{text}"
        );
        let text = eps_nano(1e-10).unwrap_err().to_string();
        assert!(text.contains("1e-10") && text.contains("1e-9"), "{text}");
        let text = eps_nano(f64::INFINITY).unwrap_err().to_string();
        assert!(
            text.contains("positive number") && text.contains("inf"),
            "{text}"
        );
        let text = linear([10, 10, 4], 10).unwrap_err().to_string();
        assert!(
            text.contains("10×10×4") && text.contains("1×1×400"),
            "{text}"
        );
    }
}

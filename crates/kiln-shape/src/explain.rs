//! Human-readable explanations of shape errors, with the changes that would fix them.
//!
//! Used by the `kiln::model!` macro, which knows every number of an architecture at expansion
//! time and so can say more than a `const` panic (which cannot format values).

use crate::layer::{DROPOUT_SCALE, EPS_SCALE, LayerError};
use crate::rule::{FilterError, Rounding, ShapeError, Window, window_out};

/// A change to one hyperparameter that makes a rejected window valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fix {
    /// Use this padding instead.
    Padding {
        /// The new P.
        padding: usize,
        /// The output side it gives.
        out: usize,
    },
    /// Use this stride instead.
    Stride {
        /// The new S.
        stride: usize,
        /// The output side it gives.
        out: usize,
    },
    /// Use this filter extent instead.
    Filter {
        /// The new F.
        filter: usize,
        /// The output side it gives.
        out: usize,
    },
    /// Declare this rounding.
    Round {
        /// `Floor` or `Ceil`.
        rounding: Rounding,
        /// The output side it gives.
        out: usize,
    },
}

impl core::fmt::Display for Fix {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Fix::Padding { padding, out } => write!(f, "padding {padding} gives {out}"),
            Fix::Stride { stride, out } => write!(f, "stride {stride} gives {out}"),
            Fix::Filter { filter, out } => write!(f, "filter {filter} gives {out}"),
            Fix::Round { rounding, out } => {
                write!(f, "`round = {}` gives {out}", rounding.name())
            }
        }
    }
}

impl core::fmt::Display for FilterError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            FilterError::NoFilters => {
                write!(f, "0 filters give an empty output; K must be at least 1")
            }
            FilterError::Groups {
                groups,
                depth,
                filters,
            } => write!(
                f,
                "groups = {groups} must divide both the input depth {depth} and the filter count {filters}"
            ),
        }
    }
}

/// `W×H×D`, as shapes are written in errors and summaries.
pub fn shape_text([w, h, d]: [usize; 3]) -> String {
    format!("{w}×{h}×{d}")
}

impl core::fmt::Display for LayerError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match *self {
            LayerError::NotFlat { input } => write!(
                f,
                "a linear layer takes a 1×1×N input but gets {}; put `flatten` before it \
                 (giving {})",
                shape_text(input),
                shape_text(crate::layer::flatten(input))
            ),
            LayerError::NoOutputs => {
                write!(f, "a linear layer with 0 outputs; it needs at least 1")
            }
            LayerError::EmptyPool { out: [w, h] } => write!(
                f,
                "adaptive pooling to {w}×{h} gives an empty output; both sides must be at least 1"
            ),
            LayerError::Shrinks { depth, to } => write!(
                f,
                "a zero-padded identity cannot shrink depth {depth} to {to}; \
                 use a projection (`conv({to}, 1, stride = S)`) instead"
            ),
            LayerError::Window(e) => write!(f, "{}", e.message()),
            LayerError::Sampling(e) => match e {
                ShapeError::ZeroStride => write!(f, "a zero-padded identity with stride 0"),
                _ => write!(f, "a zero-padded identity has no output: {}", e.message()),
            },
            LayerError::Probability {
                value,
                basis_points,
            } => {
                if (0.0..1.0).contains(&value) {
                    write!(
                        f,
                        "dropout probability {value} rounds to 1 ({basis_points} basis points: \
                         kiln holds it in steps of 1/{DROPOUT_SCALE}); use at most {}",
                        (DROPOUT_SCALE - 1) as f64 / DROPOUT_SCALE as f64
                    )
                } else {
                    write!(f, "dropout probability {value} is not in [0, 1)")
                }
            }
            LayerError::Epsilon { value } => {
                if value > 0.0 && value < 1.0 / EPS_SCALE {
                    write!(
                        f,
                        "batch-norm eps {value:e} rounds to 0 at kiln's resolution of 1e-9 \
                         (eps is held in nano-units); use at least 1e-9"
                    )
                } else {
                    write!(
                        f,
                        "batch-norm eps must be a positive number (of at most {:e}), got {value}",
                        usize::MAX as f64 / EPS_SCALE
                    )
                }
            }
            LayerError::Residual { branch, shortcut } => write!(
                f,
                "the residual branch gives {} but the shortcut gives {}",
                shape_text(branch),
                shape_text(shortcut)
            ),
            LayerError::Concat { first, other } => write!(
                f,
                "concatenated branches must share width and height, got {} and {}",
                shape_text(first),
                shape_text(other)
            ),
        }
    }
}

/// Explains a residual join whose branch gives `branch` and whose shortcut (the identity
/// unless `declared`) gives `shortcut`, over an input of shape `input` (when known), for the block
/// `layer`, with the projection that would fix it.
pub fn describe_residual(
    layer: &str,
    input: Option<[usize; 3]>,
    branch: [usize; 3],
    shortcut: [usize; 3],
    declared: bool,
) -> String {
    let what = if declared {
        "the shortcut"
    } else {
        "the identity shortcut"
    };
    let fix = if declared {
        "; make the shortcut's output match the branch".to_string()
    } else if let Some([iw, ih, _]) = input
        && branch[0] > 0
        && iw % branch[0] == 0
        && iw / branch[0] == ih / branch[1].max(1)
    {
        let stride = iw / branch[0];
        let projection = Window::new(1, stride, 0);
        let exact = window_out(iw, projection) == Ok(branch[0])
            && window_out(ih, projection) == Ok(branch[1]);
        let round = if exact { "" } else { ", round = floor" };
        format!(
            "; declare a projection: `shortcut {{ conv({}, 1, stride = {stride}{round}) }}`",
            branch[2]
        )
    } else {
        "; declare a projection shortcut { conv(K, 1, stride = S) }".to_string()
    };
    format!(
        "{layer}: the residual branch gives {} but {what} gives {}{fix}",
        shape_text(branch),
        shape_text(shortcut)
    )
}

/// Explains a concatenation of `branches` (name and output shape) whose widths or heights
/// differ, for the block `layer`.
pub fn describe_concat(layer: &str, branches: &[(String, [usize; 3])]) -> String {
    let list: Vec<String> = branches
        .iter()
        .map(|(name, shape)| format!("{name} {}", shape_text(*shape)))
        .collect();
    format!(
        "{layer}: concatenated branches must share width and height, got {}; \
         give every branch the same stride and padding",
        list.join(", ")
    )
}

/// The single-parameter changes that make `win` valid over an input side `w`: the nearest
/// larger padding, the nearest smaller stride, the nearest filter extents, and the two
/// declared roundings (for a non-whole quotient). Empty when `win` is already valid.
pub fn fixes(w: usize, win: Window) -> Vec<Fix> {
    let Err(err) = window_out(w, win) else {
        return Vec::new();
    };
    let exact = Window {
        rounding: Rounding::Exact,
        ..win
    };
    let ok = |candidate: Window| window_out(w, candidate).ok();
    let mut out = Vec::new();
    let reach = win.stride.max(win.filter).max(1);
    if let Some((padding, side)) = (win.padding + 1..=win.padding + reach)
        .find_map(|padding| ok(Window { padding, ..exact }).map(|side| (padding, side)))
    {
        out.push(Fix::Padding { padding, out: side });
    }
    if win.stride != 1
        && let Some((stride, side)) = (1..win.stride.max(2))
            .rev()
            .find_map(|stride| ok(Window { stride, ..exact }).map(|side| (stride, side)))
    {
        out.push(Fix::Stride { stride, out: side });
    }
    let below = (1..win.filter).rev().take(reach);
    let above = (win.filter + 1..).take(reach);
    for range in [below.collect::<Vec<_>>(), above.collect()] {
        if let Some((filter, side)) = range
            .into_iter()
            .find_map(|filter| ok(Window { filter, ..exact }).map(|side| (filter, side)))
        {
            out.push(Fix::Filter { filter, out: side });
        }
    }
    if matches!(err, ShapeError::NotInteger { .. }) {
        for rounding in [Rounding::Floor, Rounding::Ceil] {
            if let Some(side) = ok(Window { rounding, ..win }) {
                out.push(Fix::Round {
                    rounding,
                    out: side,
                });
            }
        }
    }
    out
}

/// `x.yy` with trailing zeros trimmed.
fn decimal(numerator: usize, denominator: usize) -> String {
    let text = format!("{:.2}", numerator as f64 / denominator as f64 + 1.0);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The extent as written in a formula: `F`, or `d·(F − 1) + 1` when dilated.
fn extent_term(win: Window) -> String {
    if win.dilation == 1 {
        win.filter.to_string()
    } else {
        format!("({}·({} − 1) + 1)", win.dilation, win.filter)
    }
}

/// Explains why `win` has no output over an input side `w` along `axis` ("width"/"height"),
/// for the layer `layer`, with the fixes: the first line of a compile error.
pub fn describe(layer: &str, axis: &str, w: usize, win: Window, err: ShapeError) -> String {
    let formula = format!(
        "({w} − {} + 2·{})/{} + 1",
        extent_term(win),
        win.padding,
        win.stride
    );
    let problem = match err {
        ShapeError::EmptyInput => format!("{layer}: the input {axis} is 0"),
        ShapeError::ZeroStride => format!("{layer}: stride 0 never moves the window"),
        ShapeError::ZeroFilter => format!("{layer}: a filter of extent 0 (or dilation 0)"),
        ShapeError::WindowTooLarge { extent, padded } => format!(
            "{layer}: the {extent}-wide window does not fit the {axis} of the input: \
             {w} + 2·{} = {padded} < {extent}",
            win.padding
        ),
        ShapeError::NotInteger { numerator, stride } => format!(
            "{layer}: {axis} {formula} = {} is not an integer",
            decimal(numerator, stride)
        ),
    };
    let fixes = fixes(w, win);
    if fixes.is_empty() {
        return problem;
    }
    let mut text = format!("{problem}; ");
    let list: Vec<String> = fixes.iter().map(ToString::to_string).collect();
    text.push_str(&list.join(", "));
    if let ShapeError::NotInteger { .. } = err
        && !fixes.iter().any(|fix| matches!(fix, Fix::Padding { .. }))
    {
        text.push_str(" (no padding makes it whole: 2P is even and S is even)");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lecture_case_is_explained_with_its_numbers() {
        let win = Window::new(3, 2, 0);
        let err = window_out(10, win).unwrap_err();
        assert_eq!(
            describe("conv2", "width", 10, win, err),
            "conv2: width (10 − 3 + 2·0)/2 + 1 = 4.5 is not an integer; stride 1 gives 8, \
             filter 2 gives 5, filter 4 gives 4, `round = floor` gives 4, `round = ceil` gives 5 \
             (no padding makes it whole: 2P is even and S is even)"
        );
    }

    #[test]
    fn padding_fix_is_offered_when_one_exists() {
        let win = Window::new(3, 3, 0);
        assert!(fixes(10, win).contains(&Fix::Padding { padding: 1, out: 4 }));
    }

    #[test]
    fn valid_window_has_no_fix() {
        assert!(fixes(227, Window::new(11, 4, 0)).is_empty());
    }
}

//! The sliding-window rule W2 = (W1 − F + 2P)/S + 1 and its compositions.

/// How a sliding window treats a quotient (W1 − F + 2P)/S that is not a whole number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rounding {
    /// The lecture's rule: the quotient must be whole, or the layer is rejected.
    Exact,
    /// PyTorch's default: drop the last partial window (the trailing rows/columns are never read).
    Floor,
    /// PyTorch's `ceil_mode`: keep a last partial window, padding the bottom/right edge, as long
    /// as that window starts inside the input or its leading padding.
    Ceil,
}

impl Rounding {
    /// The rounding's name as written in an architecture (`exact`, `floor`, `ceil`).
    pub const fn name(self) -> &'static str {
        match self {
            Rounding::Exact => "exact",
            Rounding::Floor => "floor",
            Rounding::Ceil => "ceil",
        }
    }
}

/// One sliding window along one axis: extent F, stride S, padding P on both sides, dilation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Window {
    /// Filter (or pooling window) extent F.
    pub filter: usize,
    /// Stride S.
    pub stride: usize,
    /// Zero (or edge) padding P added on both sides.
    pub padding: usize,
    /// Dilation: the window reads every `dilation`-th element (1 = dense).
    pub dilation: usize,
    /// What to do with a non-whole quotient.
    pub rounding: Rounding,
}

impl Window {
    /// A dense window with exact rounding.
    pub const fn new(filter: usize, stride: usize, padding: usize) -> Self {
        Self {
            filter,
            stride,
            padding,
            dilation: 1,
            rounding: Rounding::Exact,
        }
    }

    /// The extent the window covers once dilated: dilation·(F − 1) + 1.
    pub const fn extent(&self) -> usize {
        if self.filter == 0 {
            0
        } else {
            self.dilation * (self.filter - 1) + 1
        }
    }
}

/// Why a configuration has no output size.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ShapeError {
    /// The input side is 0.
    EmptyInput,
    /// The stride is 0.
    ZeroStride,
    /// The filter extent or the dilation is 0.
    ZeroFilter,
    /// The (dilated) window is larger than the padded input.
    WindowTooLarge {
        /// dilation·(F − 1) + 1.
        extent: usize,
        /// W1 + 2P.
        padded: usize,
    },
    /// (W1 − F + 2P) is not a multiple of S and the rounding is exact.
    NotInteger {
        /// W1 − F + 2P.
        numerator: usize,
        /// S.
        stride: usize,
    },
}

impl ShapeError {
    /// A message without numbers, for `const` panics (which cannot format values; the numbers
    /// appear in the type named by rustc's error).
    pub const fn message(self) -> &'static str {
        match self {
            ShapeError::EmptyInput => "kiln shape error: the input has a side of size 0",
            ShapeError::ZeroStride => "kiln shape error: stride 0",
            ShapeError::ZeroFilter => "kiln shape error: filter extent or dilation 0",
            ShapeError::WindowTooLarge { .. } => {
                "kiln shape error: the window is larger than the padded input (F > W + 2P)"
            }
            ShapeError::NotInteger { .. } => {
                "kiln shape error: (W - F + 2P)/S + 1 is not an integer; declare padding, \
                 stride, or `round = floor`/`round = ceil`"
            }
        }
    }
}

/// Output side of a sliding window over an input side `w`: (w − F + 2P)/S + 1, rounded as
/// the window says.
///
/// With [`Rounding::Ceil`] the last window is dropped when it would start past the input and
/// its leading padding, and a single window may overhang the padded input by less than a
/// stride (PyTorch's and burn's `ceil_mode`).
pub const fn window_out(w: usize, win: Window) -> Result<usize, ShapeError> {
    if w == 0 {
        return Err(ShapeError::EmptyInput);
    }
    if win.stride == 0 {
        return Err(ShapeError::ZeroStride);
    }
    if win.filter == 0 || win.dilation == 0 {
        return Err(ShapeError::ZeroFilter);
    }
    let extent = win.extent();
    let padded = w + 2 * win.padding;
    if extent > padded {
        // PyTorch's ceil mode keeps one window that overhangs the end by less than a stride.
        if matches!(win.rounding, Rounding::Ceil) && extent - padded < win.stride {
            return Ok(1);
        }
        return Err(ShapeError::WindowTooLarge { extent, padded });
    }
    let numerator = padded - extent;
    let whole = numerator / win.stride + 1;
    if numerator.is_multiple_of(win.stride) {
        return Ok(whole);
    }
    match win.rounding {
        Rounding::Exact => Err(ShapeError::NotInteger {
            numerator,
            stride: win.stride,
        }),
        Rounding::Floor => Ok(whole),
        Rounding::Ceil => {
            if whole * win.stride >= w + win.padding {
                Ok(whole)
            } else {
                Ok(whole + 1)
            }
        }
    }
}

/// Input rows/columns a window never reads ([`Rounding::Floor`]), or extra padding rows/columns
/// it adds at the end ([`Rounding::Ceil`]): `(unread, extra_padding)`. Both are 0 when the
/// quotient is whole.
pub const fn unread(w: usize, win: Window) -> (usize, usize) {
    let out = match window_out(w, win) {
        Ok(out) => out,
        Err(_) => return (0, 0),
    };
    let covered = (out - 1) * win.stride + win.extent();
    let padded = w + 2 * win.padding;
    if covered <= padded {
        (padded - covered, 0)
    } else {
        (0, covered - padded)
    }
}

/// `(leading, trailing)` padding that realises `win` over an input side `w` with a flooring
/// convolution: P on both sides, plus on the trailing side the extra padding that
/// [`Rounding::Ceil`] needs for its last window.
pub const fn padding_pair(w: usize, win: Window) -> (usize, usize) {
    let (_, extra) = unread(w, win);
    (win.padding, win.padding + extra)
}

/// Why a convolution's filters do not fit its input depth.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FilterError {
    /// K = 0: the output would be empty.
    NoFilters,
    /// The groups do not divide the input depth and the filter count.
    Groups {
        /// The number of groups.
        groups: usize,
        /// The input depth D1.
        depth: usize,
        /// The filter count K.
        filters: usize,
    },
}

impl FilterError {
    /// A message without numbers, for `const` panics.
    pub const fn message(self) -> &'static str {
        match self {
            FilterError::NoFilters => {
                "kiln shape error: a convolution needs at least one filter (K = 0)"
            }
            FilterError::Groups { .. } => {
                "kiln shape error: groups must divide both the input depth and the filter count"
            }
        }
    }
}

/// Checks that `filters` filters in `groups` groups fit an input of depth `depth`.
pub const fn check_filters(depth: usize, filters: usize, groups: usize) -> Result<(), FilterError> {
    if filters == 0 {
        return Err(FilterError::NoFilters);
    }
    if groups == 0 || !depth.is_multiple_of(groups) || !filters.is_multiple_of(groups) {
        return Err(FilterError::Groups {
            groups,
            depth,
            filters,
        });
    }
    Ok(())
}

/// PyTorch's pooling rule: the padding is at most half the window.
pub const fn pool_padding_fits(filter: usize, padding: usize) -> bool {
    padding <= filter / 2
}

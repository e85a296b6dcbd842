//! The shape rule against burn's run-time operators, over random configurations.
//!
//! Wherever `kiln::shape::window_out` (the `const fn` the layer types evaluate) accepts a
//! configuration, burn's conv2d / max-pool / avg-pool produce exactly that shape; wherever it
//! rejects one, the reason is checked independently.

use kiln::burn::tensor::module::{avg_pool2d, conv2d, max_pool2d};
use kiln::burn::tensor::ops::{AvgPoolOptions, ConvOptions, MaxPoolOptions};
use kiln::burn::tensor::{Device, Tensor};
use kiln::shape::{Rounding, ShapeError, Window, padding_pair, window_out};
use proptest::prelude::*;

fn rounding() -> impl Strategy<Value = Rounding> {
    prop_oneof![
        Just(Rounding::Exact),
        Just(Rounding::Floor),
        Just(Rounding::Ceil)
    ]
}

/// The rule's verdict explained without the rule: the exact quotient and whether the window
/// fits.
fn check_rejection(w: usize, win: Window, err: ShapeError) {
    let extent = win.dilation * (win.filter - 1) + 1;
    match err {
        ShapeError::WindowTooLarge { extent: e, padded } => {
            assert_eq!((e, padded), (extent, w + 2 * win.padding));
            assert!(
                extent > w + 2 * win.padding,
                "the window fits: {win:?} over {w}"
            );
        }
        ShapeError::NotInteger { numerator, stride } => {
            assert_eq!(win.rounding, Rounding::Exact);
            let exact = numerator as f64 / stride as f64;
            assert_ne!(exact.fract(), 0.0, "quotient {exact} is whole");
            assert_eq!(numerator, w + 2 * win.padding - extent);
        }
        other => panic!("unexpected rejection {other:?} of {win:?} over {w}"),
    }
}

/// The expected side, or `None` after checking why there is none.
fn expected(w: usize, win: Window) -> Option<usize> {
    match window_out(w, win) {
        Ok(side) => {
            let extent = win.dilation * (win.filter - 1) + 1;
            if extent > w + 2 * win.padding {
                // Only ceil mode keeps a window that overhangs the end, and then just one.
                assert_eq!(win.rounding, Rounding::Ceil);
                assert!(extent - (w + 2 * win.padding) < win.stride);
                assert_eq!(side, 1);
                return Some(side);
            }
            let numerator = w + 2 * win.padding - extent;
            if win.rounding == Rounding::Exact {
                assert_eq!(numerator % win.stride, 0);
            }
            if win.rounding != Rounding::Ceil || numerator.is_multiple_of(win.stride) {
                assert_eq!(side, numerator / win.stride + 1);
            }
            Some(side)
        }
        Err(err) => {
            check_rejection(w, win, err);
            None
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    #[test]
    fn rule_matches_burn(
        w in 1usize..=12,
        h in 1usize..=12,
        d in 1usize..=3,
        k in 1usize..=3,
        f in 1usize..=5,
        s in 1usize..=4,
        p in 0usize..=2,
        dilation in 1usize..=2,
        rounding in rounding(),
    ) {
        let device = Device::flex();
        let x = Tensor::<4>::ones([1, d, h, w], &device);
        let conv = Window { filter: f, stride: s, padding: p, dilation, rounding };
        if let (Some(w2), Some(h2)) = (expected(w, conv), expected(h, conv)) {
            let weight = Tensor::<4>::ones([k, d, f, f], &device);
            let options = ConvOptions::new_with_padding(
                [s, s],
                [padding_pair(h, conv), padding_pair(w, conv)],
                [dilation, dilation],
                1,
            );
            let out = conv2d(x.clone(), weight, None, options);
            prop_assert_eq!(out.dims(), [1, k, h2, w2], "conv {:?} over {}×{}", conv, w, h);
        }

        let pool = Window { padding: p.min(f / 2), dilation: 1, ..conv };
        if let (Some(w2), Some(h2)) = (expected(w, pool), expected(h, pool)) {
            let ceil = rounding == Rounding::Ceil;
            let max = max_pool2d(
                x.clone(),
                MaxPoolOptions::new([f, f])
                    .with_stride([s, s])
                    .with_padding([pool.padding; 2])
                    .with_ceil_mode(ceil),
            );
            prop_assert_eq!(max.dims(), [1, d, h2, w2], "max pool {:?} over {}×{}", pool, w, h);
            let avg = avg_pool2d(
                x,
                AvgPoolOptions::new([f, f])
                    .with_stride([s, s])
                    .with_padding([pool.padding; 2])
                    .with_ceil_mode(ceil),
            );
            prop_assert_eq!(avg.dims(), [1, d, h2, w2], "avg pool {:?} over {}×{}", pool, w, h);
        }
    }
}

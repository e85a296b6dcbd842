//! kiln's max pooling against burn's own operator: forward and gradient, on flex and ndarray,
//! over the windows `model!` and the zoo can produce (padding at most half the window, extra
//! bottom/right padding for ceil rounding, dilation).

// burn marks its ndarray backend deprecated; kiln keeps serving it.
#![allow(deprecated)]

use burn::tensor::module::max_pool2d as burn_max_pool2d;
use burn::tensor::ops::MaxPoolOptions;
use burn::tensor::{Device, Distribution, Tensor};
use proptest::prelude::*;

mod common;
use common::{assert_close, values};

/// One pooling to compare.
#[derive(Clone, Debug)]
struct Case {
    dims: [usize; 4],
    window: usize,
    stride: usize,
    /// `[top, bottom, left, right]`.
    padding: [usize; 4],
    dilation: usize,
}

impl Case {
    fn options(&self) -> MaxPoolOptions<2> {
        let [top, bottom, left, right] = self.padding;
        MaxPoolOptions::new([self.window; 2])
            .with_stride([self.stride; 2])
            .with_padding_pairs([(top, bottom), (left, right)])
            .with_dilation([self.dilation; 2])
    }

    fn serves(&self) -> bool {
        let [_, _, h, w] = self.dims;
        kiln_kernels::serves_max_pool(
            [h, w],
            [self.window; 2],
            [self.stride; 2],
            self.padding,
            [self.dilation; 2],
        )
    }

    fn kiln(&self, x: Tensor<4>) -> Tensor<4> {
        let (w, s, d) = ([self.window; 2], [self.stride; 2], [self.dilation; 2]);
        kiln_kernels::max_pool2d(x, w, s, self.padding, d)
    }
}

/// Forward and the gradient of Σ y·r (one r for both runs) on `device`, kiln's against burn's.
fn check(case: &Case, device: &Device) {
    let x = Tensor::<4>::random(case.dims, Distribution::Normal(0.0, 1.0), device);
    let want = burn_max_pool2d(x.clone(), case.options());
    assert_close(
        values(case.kiln(x.clone())),
        values(want.clone()),
        "forward",
        case,
    );

    let device = device.clone().autodiff();
    let x = Tensor::<4>::from_data(x.into_data(), &device);
    let r = Tensor::<4>::random(want.dims(), Distribution::Normal(0.0, 1.0), &device);
    let grad = |with_kiln: bool| {
        let x = x.clone().require_grad();
        let y = if with_kiln {
            case.kiln(x.clone())
        } else {
            burn_max_pool2d(x.clone(), case.options())
        };
        values(x.grad(&y.mul(r.clone()).sum().backward()).unwrap())
    };
    assert_close(grad(true), grad(false), "input gradient", case);
}

fn cases() -> impl Strategy<Value = Case> {
    (
        (1usize..4, 1usize..5, 1usize..12, 1usize..12),
        (1usize..5, 1usize..4, 1usize..3),
        ([0usize..3, 0usize..3], [0usize..3, 0usize..3]),
    )
        .prop_map(
            |((n, c, h, w), (window, stride, dilation), (before, extra))| {
                // PyTorch's rules: padding at most half the window; ceil rounding adds at most
                // stride − 1 at the bottom/right.
                let [top, left] = before.map(|p| p.min(window / 2));
                let [more_h, more_w] = extra.map(|e| e.min(stride - 1));
                Case {
                    dims: [n, c, h, w],
                    window,
                    stride,
                    padding: [top, top + more_h, left, left + more_w],
                    dilation,
                }
            },
        )
        .prop_filter("the window must fit and hold an input pixel", |case| {
            let [_, _, h, w] = case.dims;
            let span = case.dilation * (case.window - 1) + 1;
            h + case.padding[0] + case.padding[1] >= span
                && w + case.padding[2] + case.padding[3] >= span
                && case.serves()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn max_pool_matches_burn_on_flex_and_ndarray(case in cases()) {
        check(&case, &Device::flex());
        check(&case, &Device::ndarray());
    }
}

/// The zoo's windows at batch sizes that train: 2×2/2 (compact ResNet-8, the Fashion CNN),
/// 3×3/2 padded (ResNet-18's stem), 3×3/2 ceil-rounded (GoogLeNet), 3×3/1 padded (GoogLeNet's
/// pool branch).
#[test]
fn zoo_windows_match_burn() {
    for (dims, window, stride, padding) in [
        ([128, 32, 28, 28], 2, 2, [0; 4]),
        ([4, 64, 56, 56], 3, 2, [1; 4]),
        ([4, 64, 56, 56], 3, 2, [0, 1, 0, 1]),
        ([4, 8, 14, 14], 3, 1, [1; 4]),
    ] {
        let case = Case {
            dims,
            window,
            stride,
            padding,
            dilation: 1,
        };
        assert!(case.serves(), "{case:?}");
        check(&case, &Device::flex());
    }
}

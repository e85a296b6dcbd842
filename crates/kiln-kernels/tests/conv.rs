//! kiln's convolution against burn's own operator: forward and every gradient, on flex and
//! ndarray, over the configurations `model!` and the zoo can produce.

// burn marks its ndarray backend deprecated; kiln keeps serving it.
#![allow(deprecated)]

use burn::tensor::module::conv2d as burn_conv2d;
use burn::tensor::ops::ConvOptions;
use burn::tensor::{Device, Distribution, Tensor};
use proptest::prelude::*;

mod common;
use common::{assert_close, values};

/// One convolution to compare: sizes, stride, `[top, bottom, left, right]` padding, dilation.
#[derive(Clone, Debug)]
struct Case {
    batch: usize,
    in_channels: usize,
    out_channels: usize,
    h: usize,
    w: usize,
    kernel: [usize; 2],
    stride: [usize; 2],
    padding: [usize; 4],
    dilation: [usize; 2],
    bias: bool,
}

impl Case {
    fn fits(&self) -> bool {
        let [top, bottom, left, right] = self.padding;
        self.h + top + bottom > self.dilation[0] * (self.kernel[0] - 1)
            && self.w + left + right > self.dilation[1] * (self.kernel[1] - 1)
    }

    fn options(&self) -> ConvOptions<2> {
        let [top, bottom, left, right] = self.padding;
        ConvOptions {
            stride: self.stride,
            padding: [(top, bottom), (left, right)],
            dilation: self.dilation,
            groups: 1,
        }
    }
}

/// The operands of a case on `device`, drawn from burn's RNG.
fn operands(case: &Case, device: &Device) -> (Tensor<4>, Tensor<4>, Option<Tensor<1>>) {
    let normal = Distribution::Normal(0.0, 1.0);
    let x = Tensor::random(
        [case.batch, case.in_channels, case.h, case.w],
        normal,
        device,
    );
    let w = Tensor::random(
        [
            case.out_channels,
            case.in_channels,
            case.kernel[0],
            case.kernel[1],
        ],
        normal,
        device,
    );
    let b = case
        .bias
        .then(|| Tensor::random([case.out_channels], normal, device));
    (x, w, b)
}

fn kiln(case: &Case, x: Tensor<4>, w: Tensor<4>, b: Option<Tensor<1>>) -> Tensor<4> {
    kiln_kernels::conv2d(x, w, b, case.stride, case.padding, case.dilation)
}

/// Forward on `device` (flex or ndarray) against burn's conv2d on the same operands.
fn check_forward(case: &Case, device: &Device) {
    let (x, w, b) = operands(case, device);
    let want = burn_conv2d(x.clone(), w.clone(), b.clone(), case.options());
    assert_close(values(kiln(case, x, w, b)), values(want), "forward", &case);
}

/// Gradients of Σ y·r for a random r, kiln's against burn's, on `device` with autodiff. Both
/// runs share one r: an r computed from each run's own y (say cos y) would turn the last-bit
/// differences of two summation orders into gradient differences.
fn check_gradients(case: &Case, device: &Device) {
    let device = device.clone().autodiff();
    let (x, w, b) = operands(case, &device);
    let out = burn_conv2d(x.clone(), w.clone(), b.clone(), case.options()).dims();
    let r = Tensor::<4>::random(out, Distribution::Normal(0.0, 1.0), &device);
    let run = |with_kiln: bool| {
        let (x, w) = (x.clone().require_grad(), w.clone().require_grad());
        let b = b.clone().map(Tensor::require_grad);
        let y = if with_kiln {
            kiln(case, x.clone(), w.clone(), b.clone())
        } else {
            burn_conv2d(x.clone(), w.clone(), b.clone(), case.options())
        };
        let grads = y.mul(r.clone()).sum().backward();
        let dx = values(x.grad(&grads).unwrap());
        let dw = values(w.grad(&grads).unwrap());
        let db = b.map(|b| values(b.grad(&grads).unwrap()));
        (dx, dw, db)
    };
    let (kdx, kdw, kdb) = run(true);
    let (bdx, bdw, bdb) = run(false);
    assert_close(kdx, bdx, "input gradient", &case);
    assert_close(kdw, bdw, "weight gradient", &case);
    if let (Some(k), Some(b)) = (kdb, bdb) {
        assert_close(k, b, "bias gradient", &case);
    }
}

/// The folded convolution (`scale·conv + shift`, then ReLU with `relu`) against burn's conv2d
/// followed by burn's multiply, add and ReLU, on `device`: forward, and without the ReLU the
/// gradients of Σ y·r with respect to every operand under autodiff. (With it, a sum that the
/// two summation orders put on either side of 0 would flip one mask bit and an O(1) term of
/// the gradients; the ReLU's gradient is tested on its own.)
fn check_affine(case: &Case, relu: bool, device: &Device) {
    let normal = Distribution::Normal(0.0, 1.0);
    let (x, w, _) = operands(case, device);
    let [scale, shift] = [0, 1].map(|_| Tensor::<1>::random([case.out_channels], normal, device));
    let burn_affine = |x: Tensor<4>, w: Tensor<4>, scale: Tensor<1>, shift: Tensor<1>| {
        let channel = |t: Tensor<1>| t.reshape([1, case.out_channels, 1, 1]);
        let y = burn_conv2d(x, w, None, case.options()) * channel(scale) + channel(shift);
        if relu {
            burn::tensor::activation::relu(y)
        } else {
            y
        }
    };
    let kiln_affine = |x, w, scale, shift| {
        let (s, p, d) = (case.stride, case.padding, case.dilation);
        kiln_kernels::conv2d_affine(x, w, [scale, shift], s, p, d, relu)
    };
    let [want, got] = [
        burn_affine(x.clone(), w.clone(), scale.clone(), shift.clone()),
        kiln_affine(x.clone(), w.clone(), scale.clone(), shift.clone()),
    ];
    assert_close(values(got), values(want), "folded forward", &case);
    if relu {
        return;
    }
    let device = device.clone().autodiff();
    let [x, w] = [x, w].map(|t| Tensor::from_data(t.into_data(), &device));
    let [scale, shift] = [scale, shift].map(|t| Tensor::from_data(t.into_data(), &device));
    let out = burn_conv2d(x.clone(), w.clone(), None, case.options()).dims();
    let r = Tensor::<4>::random(out, normal, &device);
    let grads_of = |with_kiln: bool| {
        let [x, w] = [&x, &w].map(|t| t.clone().require_grad());
        let [scale, shift] = [&scale, &shift].map(|t| t.clone().require_grad());
        let y = if with_kiln {
            kiln_affine(x.clone(), w.clone(), scale.clone(), shift.clone())
        } else {
            burn_affine(x.clone(), w.clone(), scale.clone(), shift.clone())
        };
        let grads = y.mul(r.clone()).sum().backward();
        let four = [&x, &w].map(|t| values(t.grad(&grads).unwrap()));
        let one = [&scale, &shift].map(|t| values(t.grad(&grads).unwrap()));
        [four, one].concat()
    };
    let names = ["input", "weight", "scale", "shift"];
    for ((got, want), name) in grads_of(true).into_iter().zip(grads_of(false)).zip(names) {
        assert_close(got, want, &format!("folded {name} gradient"), &case);
    }
}

fn cases() -> impl Strategy<Value = Case> {
    (
        (1usize..4, 1usize..6, 1usize..6, 1usize..11, 1usize..11),
        (1usize..5, 1usize..5, 1usize..4, 1usize..4),
        (
            [0usize..4, 0usize..4, 0usize..4, 0usize..4],
            1usize..3,
            any::<bool>(),
        ),
    )
        .prop_map(
            |((batch, c, k, h, w), (fh, fw, sh, sw), (padding, d, bias))| Case {
                batch,
                in_channels: c,
                out_channels: k,
                h,
                w,
                kernel: [fh, fw],
                stride: [sh, sw],
                padding,
                dilation: [d, d],
                bias,
            },
        )
        .prop_filter("the filter must fit the padded input", Case::fits)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn forward_matches_burn_on_flex_and_ndarray(case in cases()) {
        check_forward(&case, &Device::flex());
        check_forward(&case, &Device::ndarray());
    }

    #[test]
    fn gradients_match_burn_on_flex_and_ndarray(case in cases()) {
        check_gradients(&case, &Device::flex());
        check_gradients(&case, &Device::ndarray());
    }

    #[test]
    fn folded_batch_norm_and_relu_match_burn_on_flex_and_ndarray(
        case in cases(),
        relu in any::<bool>(),
    ) {
        check_affine(&case, relu, &Device::flex());
        check_affine(&case, relu, &Device::ndarray());
    }
}

/// The shapes ResNet-20 trains on Fashion-MNIST, at batch 128 where it is cheap enough, and
/// a deep narrow map (512 channels) as in ResNet-18's last stage.
#[test]
fn resnet_shapes_match_burn() {
    let case = |batch, c, k, hw, s, p, bias| Case {
        batch,
        in_channels: c,
        out_channels: k,
        h: hw,
        w: hw,
        kernel: [3, 3],
        stride: [s, s],
        padding: [p; 4],
        dilation: [1, 1],
        bias,
    };
    for case in [
        case(128, 1, 16, 28, 1, 1, false),
        case(8, 16, 32, 28, 2, 1, false),
        case(8, 32, 32, 14, 1, 1, true),
        case(2, 512, 512, 7, 1, 1, false),
        case(1, 3, 64, 30, 2, 0, true),
    ] {
        check_forward(&case, &Device::flex());
        check_gradients(&case, &Device::flex());
        check_affine(&case, true, &Device::flex());
    }
}

#[test]
fn kernels_take_f32_tensors_on_cpu_devices() {
    assert!(kiln_kernels::runs_on(&Device::flex()));
    assert!(kiln_kernels::runs_on(&Device::ndarray().autodiff()));
    let x = Tensor::<4>::zeros([1, 1, 2, 2], &Device::flex());
    assert!(kiln_kernels::accepts(&x));
    assert!(!kiln_kernels::accepts(&x.cast(burn::tensor::DType::F64)));
}

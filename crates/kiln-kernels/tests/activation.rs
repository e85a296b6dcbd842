//! kiln's ReLU and its sum-then-ReLU against burn's: values and gradients, on flex and ndarray,
//! including NaN, zero and tensors larger than one parallel job.

// burn marks its ndarray backend deprecated; kiln keeps serving it.
#![allow(deprecated)]

use burn::tensor::activation::relu as burn_relu;
use burn::tensor::{Device, Tensor, TensorData};

// The shared helpers; this file compares exactly and needs only `values`.
#[allow(dead_code)]
mod common;
use common::values;

/// Values with every case ReLU distinguishes: positive, negative, ±0 and NaN.
fn inputs(len: usize) -> Vec<f32> {
    (0..len)
        .map(|i| match i % 7 {
            0 => f32::NAN,
            1 => 0.0,
            2 => -0.0,
            k => (i as f32 * 0.37).sin() * k as f32,
        })
        .collect()
}

/// Equal element for element, NaN equal to NaN.
fn assert_same(got: &[f32], want: &[f32], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: sizes differ");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            g == w || (g.is_nan() && w.is_nan()),
            "{what}: element {i} is {g}, burn gives {w}"
        );
    }
}

/// Operand `i` of a case: [`inputs`] rotated by `5·i`, so that a sum pairs different cases.
fn operand(i: usize, shape: [usize; 4], device: &Device) -> Tensor<4> {
    let mut data = inputs(shape.iter().product());
    let len = data.len();
    data.rotate_left(5 * i % len);
    Tensor::from_data(TensorData::new(data, shape), device)
}

/// `kiln` against `burn` on `N` operands: the values, and the gradient of Σ y·r with respect
/// to each operand.
fn check<const N: usize>(
    device: &Device,
    shape: [usize; 4],
    kiln: impl Fn([Tensor<4>; N]) -> Tensor<4>,
    burn: impl Fn([Tensor<4>; N]) -> Tensor<4>,
) {
    let len: usize = shape.iter().product();
    let xs = |device: &Device| std::array::from_fn(|i| operand(i, shape, device));
    assert_same(
        &values(kiln(xs(device))),
        &values(burn(xs(device))),
        "forward",
    );
    let device = device.clone().autodiff();
    let r = Tensor::<4>::from_data(
        TensorData::new((0..len).map(|i| i as f32 - 3.5).collect(), shape),
        &device,
    );
    let gradients = |with_kiln: bool| {
        let xs: [Tensor<4>; N] = xs(&device).map(Tensor::require_grad);
        let y = if with_kiln {
            kiln(xs.clone())
        } else {
            burn(xs.clone())
        };
        let grads = y.mul(r.clone()).sum().backward();
        xs.map(|x| values(x.grad(&grads).unwrap()))
    };
    for (i, (got, want)) in gradients(true).iter().zip(gradients(false)).enumerate() {
        assert_same(got, &want, &format!("gradient of operand {i}"));
    }
}

#[test]
fn relu_and_its_gradient_match_burn_on_flex_and_ndarray() {
    for device in [Device::flex(), Device::ndarray()] {
        // The second shape has more elements than one parallel job (32 768).
        for shape in [[2, 3, 5, 7], [4, 16, 28, 28]] {
            check(
                &device,
                shape,
                |[x]| kiln_kernels::relu(x),
                |[x]| burn_relu(x),
            );
        }
    }
}

#[test]
fn a_sum_then_relu_and_its_gradients_match_burn_on_flex_and_ndarray() {
    for device in [Device::flex(), Device::ndarray()] {
        for shape in [[2, 3, 5, 7], [4, 16, 28, 28]] {
            check(
                &device,
                shape,
                |[a, b]| kiln_kernels::add_relu(a, b),
                |[a, b]| burn_relu(a + b),
            );
        }
    }
}

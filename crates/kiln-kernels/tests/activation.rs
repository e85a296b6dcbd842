//! kiln's ReLU against burn's: values and gradient, on flex and ndarray, including NaN, zero
//! and tensors larger than one parallel job.

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

fn check(device: &Device, shape: [usize; 4]) {
    let len = shape.iter().product();
    let x = Tensor::<4>::from_data(TensorData::new(inputs(len), shape), device);
    assert_same(
        &values(kiln_kernels::relu(x.clone())),
        &values(burn_relu(x)),
        "forward",
    );
    let device = device.clone().autodiff();
    let x = Tensor::<4>::from_data(TensorData::new(inputs(len), shape), &device);
    let r = Tensor::<4>::from_data(
        TensorData::new((0..len).map(|i| i as f32 - 3.5).collect(), shape),
        &device,
    );
    let gradient = |with_kiln: bool| {
        let x = x.clone().require_grad();
        let y = if with_kiln {
            kiln_kernels::relu(x.clone())
        } else {
            burn_relu(x.clone())
        };
        let grads = y.mul(r.clone()).sum().backward();
        values(x.grad(&grads).unwrap())
    };
    assert_same(&gradient(true), &gradient(false), "gradient");
}

#[test]
fn relu_and_its_gradient_match_burn_on_flex_and_ndarray() {
    for device in [Device::flex(), Device::ndarray()] {
        check(&device, [2, 3, 5, 7]);
        // More elements than one parallel job (32 768).
        check(&device, [4, 16, 28, 28]);
    }
}

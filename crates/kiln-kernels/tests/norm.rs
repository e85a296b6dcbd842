//! kiln's fused batch norm, alone and with a ReLU fused in, against burn's own operators
//! (burn's batch norm, then burn's ReLU): training forward (output and statistics), every
//! gradient, and inference, on flex and ndarray.

use burn::tensor::activation::relu as burn_relu;
use burn::tensor::module::{batch_norm as burn_batch_norm, batch_norm_train as burn_train};
use burn::tensor::{Device, Distribution, Tensor, TensorData};
use proptest::prelude::*;

mod common;
use common::{assert_close, values};

fn operands(dims: [usize; 4], device: &Device) -> [Tensor<1>; 2] {
    let c = dims[1];
    [
        Tensor::random([c], Distribution::Uniform(0.5, 1.5), device),
        Tensor::random([c], Distribution::Normal(0.0, 1.0), device),
    ]
}

/// An input whose values in each channel span 1 to 5, plus a little noise: its statistics are
/// not a standard normal's, and no channel's variance is tiny. (With two values per channel
/// drawn at random, a near-zero variance makes the input gradient cancel to noise in f32, and
/// burn's reference is then no reference.)
fn spread_input(dims: [usize; 4], device: &Device) -> Tensor<4> {
    let [n, c, h, w] = dims;
    let per_channel = n * h * w;
    let ramp: Vec<f32> = (0..n * c * h * w)
        .map(|i| {
            let (image, pixel) = (i / (c * h * w), i % (h * w));
            let j = image * h * w + pixel;
            3.0 + 4.0 * (j as f32 / per_channel.max(2).saturating_sub(1) as f32) - 2.0
        })
        .collect();
    let ramp = Tensor::<4>::from_data(TensorData::new(ramp, dims), device);
    ramp + Tensor::random(dims, Distribution::Normal(0.0, 0.2), device)
}

/// burn's ReLU of `y` with `relu`, `y` otherwise: the unfused reference.
fn then<const D: usize>(y: Tensor<D>, relu: bool) -> Tensor<D> {
    if relu { burn_relu(y) } else { y }
}

fn check_training(dims: [usize; 4], device: &Device, relu: bool) {
    let device = device.clone().autodiff();
    let x = spread_input(dims, &device);
    let [gamma, beta] = operands(dims, &device);
    let r = Tensor::<4>::random(dims, Distribution::Normal(0.0, 1.0), &device);
    // The reference's ReLU gradient is taken where kiln's output passed: within rounding of 0,
    // burn's and kiln's normalised values may fall on either side, and one such element would
    // move its gradient by a whole `r`. So the reference is batch norm's gradient of Σ y·r·mask.
    let mask = if relu {
        let (y, _, _) =
            kiln_kernels::batch_norm_train(x.clone(), gamma.clone(), beta.clone(), 1e-5, true);
        y.greater_elem(0.0).float()
    } else {
        Tensor::ones(dims, &device)
    };
    let run = |kiln: bool| {
        let (x, g, b) = (
            x.clone().require_grad(),
            gamma.clone().require_grad(),
            beta.clone().require_grad(),
        );
        let (y, mean, var, grads) = if kiln {
            let (y, mean, var) =
                kiln_kernels::batch_norm_train(x.clone(), g.clone(), b.clone(), 1e-5, relu);
            let grads = y.clone().mul(r.clone()).sum().backward();
            (y, mean, var, grads)
        } else {
            let out = burn_train(x.clone(), g.clone(), b.clone(), 1e-5);
            let weights = r.clone().mul(mask.clone());
            let grads = out.output.clone().mul(weights).sum().backward();
            (then(out.output, relu), out.mean, out.variance, grads)
        };
        [
            values(y),
            values(mean),
            values(var),
            values(x.grad(&grads).unwrap()),
            values(g.grad(&grads).unwrap()),
            values(b.grad(&grads).unwrap()),
        ]
    };
    let names = [
        "output",
        "mean",
        "variance",
        "input gradient",
        "γ gradient",
        "β gradient",
    ];
    for ((k, b), name) in run(true).into_iter().zip(run(false)).zip(names) {
        assert_close(k, b, name, &dims);
    }
}

fn check_inference(dims: [usize; 4], device: &Device, relu: bool) {
    let x = Tensor::<4>::random(dims, Distribution::Normal(1.0, 2.0), device);
    let [gamma, beta] = operands(dims, device);
    let mean = Tensor::<1>::random([dims[1]], Distribution::Normal(0.0, 1.0), device);
    let var = Tensor::<1>::random([dims[1]], Distribution::Uniform(0.1, 2.0), device);
    let want = burn_batch_norm(
        x.clone(),
        gamma.clone(),
        beta.clone(),
        mean.clone(),
        var.clone(),
        1e-3,
    );
    let want = then(want, relu);
    let got = kiln_kernels::batch_norm(x, [gamma, beta, mean, var], 1e-3, relu);
    assert_close(values(got), values(want), "inference", &dims);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn batch_norm_matches_burn(
        n in 1usize..5,
        c in 1usize..9,
        h in 1usize..7,
        w in 1usize..7,
        relu in any::<bool>(),
    ) {
        #[allow(deprecated)] // burn marks ndarray deprecated; kiln keeps it selectable
        for device in [Device::flex(), Device::ndarray()] {
            check_training([n, c, h, w], &device, relu);
            check_inference([n, c, h, w], &device, relu);
        }
    }
}

#[test]
fn resnet_sized_batch_norm_matches_burn() {
    for relu in [false, true] {
        check_training([128, 16, 28, 28], &Device::flex(), relu);
        check_inference([128, 64, 7, 7], &Device::flex(), relu);
    }
}

//! kiln's typed layers on kiln's kernels: the fast path is taken where the kernels serve the
//! layer, burn's operator is taken where they do not, and a short training run follows the
//! same loss curve either way.
//!
//! The kernel switch and call counter are process-wide, so the tests of this file take turns.

mod common;

use std::ops::ControlFlow;

use kiln::burn::tensor::{Device, Distribution, Tensor};
use kiln::data::{Dataset, fashion_mnist_dir};
use kiln::kernels;
use kiln::models::FashionCnn;
use kiln::train::{FitConfig, fit};
use kiln::{Act, Model};

static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn turn() -> std::sync::MutexGuard<'static, ()> {
    TURN.lock().unwrap_or_else(|e| e.into_inner())
}

kiln::model! {
    /// Every convolution option the kernels take, and grouped ones they leave to burn.
    pub struct Options {
        input: [11, 9, 4],
        dense: conv(6, 3, stride = 2, pad = 1, round = ceil),   // extra bottom/right padding
        edge: conv(6, 3, pad = 1, pad_mode = edge),
        dilated: conv(8, 3, pad = 2, dilation = 2, bias = false),
        grouped: conv(8, 3, pad = 1, groups = 2),
        flatten,
        fc: linear(3),
    }
}

/// The model's output with kernels on and off, and how many kernel calls the first made.
fn both_ways(device: &Device) -> (Vec<f32>, Vec<f32>, usize) {
    let model = Options::init(device);
    let x = Act::<11, 9, 4>::random(3, device);
    kernels::set_enabled(true);
    let before = kernels::calls();
    let fast = model.forward(x.clone()).into_tensor();
    let calls = kernels::calls() - before;
    kernels::set_enabled(false);
    let burn = model.forward(x).into_tensor();
    kernels::set_enabled(true);
    let values = |t: Tensor<4>| t.into_data().try_to_vec::<f32>().unwrap();
    (values(fast), values(burn), calls)
}

#[test]
fn dense_convolutions_take_the_kernels_and_grouped_ones_fall_back_to_burn() {
    let _turn = turn();
    #[allow(deprecated)] // burn marks ndarray deprecated; kiln keeps it selectable
    for device in [Device::flex(), Device::ndarray(), Device::flex().autodiff()] {
        let (fast, burn, calls) = both_ways(&device);
        // Three of the four convolutions are dense: the grouped one is burn's.
        assert_eq!(calls, 3, "kernel calls on {device:?}");
        for (a, b) in fast.iter().zip(&burn) {
            assert!(
                (a - b).abs() <= 1e-4 * b.abs().max(1.0),
                "{a} vs {b} on {device:?}"
            );
        }
    }
}

#[test]
fn switched_off_kernels_are_not_called() {
    let _turn = turn();
    kernels::set_enabled(false);
    let before = kernels::calls();
    let x = Tensor::<4>::random([2, 4, 9, 11], Distribution::Default, &Device::flex());
    let _ = Options::init(&Device::flex()).forward_tensor(x).unwrap();
    kernels::set_enabled(true);
    assert_eq!(kernels::calls(), before);
}

#[test]
fn a_short_training_run_follows_the_same_loss_curve_with_and_without_kernels() {
    let _turn = turn();
    let data = Dataset::mnist(&fashion_mnist_dir()).expect("the vendored data");
    let run = |on: bool| {
        kernels::set_enabled(on);
        let out = tempfile::tempdir().unwrap();
        let config = FitConfig {
            lr: 0.01,
            val_fraction: 0.25,
            seed: 3,
            limit: Some(256),
            ..common::plain_config(out.path(), 3)
        };
        let device = Device::flex().autodiff();
        let (_, history) = fit::<FashionCnn>(&config, &data.train, &device, &mut |_| {
            ControlFlow::Continue(())
        })
        .unwrap();
        history
    };
    let (fast, burn) = (run(true), run(false));
    kernels::set_enabled(true);
    // Summation orders differ (kiln's gemm blocks and f64 batch-norm sums vs burn's), and
    // training amplifies the differences step by step: tight in the first epoch, looser later.
    // A wrong gradient moves the curve by far more (a 0.1 % error in batch norm's input
    // gradient fails the kernel tests).
    for (epoch, (a, b)) in fast.iter().zip(&burn).enumerate() {
        let tolerance = if epoch == 0 { 2e-4 } else { 5e-3 };
        let close = |x: f64, y: f64| (x - y).abs() <= tolerance * y.abs().max(1.0);
        assert!(
            close(a.train_loss, b.train_loss),
            "training loss {a:?} vs {b:?}"
        );
        assert!(
            close(a.val_loss, b.val_loss),
            "validation loss {a:?} vs {b:?}"
        );
    }
}

kiln::model! {
    /// A convolution, batch norm and ReLU (one call in inference, batch norm + ReLU fused in
    /// training) at the top level and inside a residual block, a convolution followed by ReLU
    /// (no fused kernel: the default of `forward_relu_tensor`), and a residual join followed by
    /// ReLU (`Act::add_relu`).
    pub struct Fused {
        input: [9, 9, 3],
        conv1: conv(8, 3, pad = 1, bias = false),
        bn1: batch_norm,
        relu,
        block: residual {
            conv_a: conv(8, 3, pad = 1, bias = false),
            bn_a: batch_norm,
            relu,
            conv_b: conv(8, 3, pad = 1),
            relu,
        },
        relu,
        global_avg_pool,
        flatten,
        fc: linear(4),
    }
}

/// The model's output and its first convolution's weight gradient through `forward` (fused)
/// or `forward_tapped` (each layer on its own), and the kernel calls the pass made.
fn fused_or_not(model: &Fused, x: &Act<9, 9, 3>, fused: bool) -> (Vec<f32>, Vec<f32>, usize) {
    let before = kernels::calls();
    let out = if fused {
        model.forward(x.clone())
    } else {
        model.forward_tapped(x.clone(), &mut |_, _| {})
    };
    let calls = kernels::calls() - before;
    let out = out.into_tensor();
    let grad = if out.device().is_autodiff() {
        let grads = out.clone().powi_scalar(2).sum().backward();
        let weight = model.conv1.inner.weight.val();
        weight
            .grad(&grads)
            .unwrap()
            .into_data()
            .try_to_vec::<f32>()
            .unwrap()
    } else {
        Vec::new()
    };
    (out.into_data().try_to_vec::<f32>().unwrap(), grad, calls)
}

#[test]
fn a_layer_and_the_relu_after_it_run_fused_with_the_same_values_and_gradients() {
    let _turn = turn();
    #[allow(deprecated)] // burn marks ndarray deprecated; kiln keeps it selectable
    for device in [Device::flex(), Device::ndarray(), Device::flex().autodiff()] {
        let model = Fused::init(&device);
        let x = Act::<9, 9, 3>::random(5, &device);
        let (fused, fused_grad, fused_calls) = fused_or_not(&model, &x, true);
        let (plain, plain_grad, plain_calls) = fused_or_not(&model, &x, false);
        let training = device.is_autodiff();
        if training {
            // Fusing changes no value: the same map and the same ReLU, each applied once.
            assert_eq!(fused, plain, "outputs on {device:?}");
            assert_eq!(fused_grad, plain_grad, "weight gradients on {device:?}");
        } else {
            // In inference the batch norm's map is folded into the convolution's sums
            // (`scale·Σ + shift` where the unfused pass computes `scale·(Σ) + shift` from the
            // stored output): the same values up to rounding.
            for (a, b) in fused.iter().zip(&plain) {
                assert!(
                    (a - b).abs() <= 1e-5 * b.abs().max(1.0),
                    "{a} vs {b} on {device:?}"
                );
            }
        }
        // Training, `forward`: conv1, bn1 + relu, inside the block (fused in both passes)
        // conv_a, bn_a + relu, conv_b, relu, then the join + relu; `forward_tapped` runs bn1
        // and its relu as two calls (and the join as burn's add, then kiln's relu: one call).
        // Inference folds each convolution with its batch norm and ReLU into one call: conv1
        // (in `forward` only) and conv_a (in both).
        let want = if training { (7, 8) } else { (5, 7) };
        assert_eq!(
            (fused_calls, plain_calls),
            want,
            "kernel calls on {device:?}"
        );
    }
}

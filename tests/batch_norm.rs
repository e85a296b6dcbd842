//! Batch norm's two behaviours: batch statistics (and a running-average update) when training,
//! running statistics in inference mode.

use kiln::Layer;
use kiln::burn::module::Module;
use kiln::burn::tensor::{Device, Distribution, Tensor};
use kiln::layers::BatchNorm;

/// The layer under test, on 3×3×2 inputs.
fn forward(bn: &BatchNorm<2>, x: Tensor<4>) -> Tensor<4> {
    <BatchNorm<2> as Layer<3, 3, 2>>::forward_tensor(bn, x)
}

fn mean(t: Tensor<4>) -> f32 {
    t.mean().into_scalar::<f32>()
}

#[test]
fn training_normalises_with_the_batch_and_updates_the_running_mean() {
    let device = Device::flex().autodiff();
    device.seed(9);
    let bn = <BatchNorm<2> as Layer<3, 3, 2>>::init(&device);
    let x = Tensor::<4>::random([8, 2, 3, 3], Distribution::Normal(5.0, 2.0), &device);
    let batch_mean = mean(x.clone());
    let y = forward(&bn, x.clone());
    assert!(
        mean(y).abs() < 1e-4,
        "training output is centred on the batch mean"
    );
    // Momentum 0.1 from an initial running mean of 0.
    let running = bn
        .inner
        .running_mean
        .value_sync()
        .mean()
        .into_scalar::<f32>();
    assert!(
        (running - 0.1 * batch_mean).abs() < 1e-3,
        "running mean {running}, batch mean {batch_mean}"
    );

    let eval = bn.valid();
    let z = forward(&eval, x.detach());
    // (x − running mean) / sqrt(running var + ε): far from centred, since the running mean
    // has moved only a tenth of the way to the batch mean.
    let expected = batch_mean - running;
    assert!(
        mean(z) > 0.5 * expected / 2.0,
        "inference uses the running statistics"
    );
}

//! Typed batch normalisation.

use burn::module::Module;
use burn::nn::{BatchNorm as BurnBatchNorm, BatchNormConfig};
use burn::tensor::{Device, Tensor};

use crate::layer::Layer;

/// Batch normalisation over the `D` depth slices, with ε = `EPS_NANO`·10⁻⁹ (default 10⁻⁵, as
/// in PyTorch; torchvision's GoogLeNet uses 10⁻³). Normalises with the batch statistics and
/// updates the running statistics (momentum 0.1, PyTorch's convention) when training (autodiff
/// device, training mode); uses the running statistics otherwise (`Module::valid`).
///
/// # Shapes
/// - input and output: `[batch, D, H, W]`
#[derive(Module, Debug)]
pub struct BatchNorm<const D: usize, const EPS_NANO: usize = 10_000> {
    /// The burn batch norm.
    pub inner: BurnBatchNorm,
}

impl<const W: usize, const H: usize, const D: usize, const EPS_NANO: usize> Layer<W, H, D>
    for BatchNorm<D, EPS_NANO>
{
    const OUT: [usize; 3] = kiln_shape::or_panic(kiln_shape::batch_norm([W, H, D], EPS_NANO));
    const PARAMS: usize = 2 * D;
    const FLOPS: usize = 2 * W * H * D;
    const BUFFERS: usize = 2 * D;

    fn init(device: &Device) -> Self {
        Self {
            inner: BatchNormConfig::new(D)
                .with_epsilon(EPS_NANO as f64 * 1e-9)
                .init(device),
        }
    }

    /// kiln's fused kernels where they serve the input (`f32` on flex or ndarray), with the
    /// running statistics updated as burn-nn updates them; burn's batch norm otherwise.
    fn forward_tensor(&self, input: Tensor<4>) -> Tensor<4> {
        self.run(input, false)
    }

    /// Batch norm and ReLU in one pass each way where kiln's kernels serve the input.
    fn forward_relu_tensor(&self, input: Tensor<4>) -> Tensor<4> {
        self.run(input, true)
    }

    fn describe() -> String {
        if EPS_NANO == 10_000 {
            "batch norm".to_string()
        } else {
            format!("batch norm ε={}", EPS_NANO as f64 * 1e-9)
        }
    }
}

impl<const D: usize, const EPS_NANO: usize> BatchNorm<D, EPS_NANO> {
    /// Batch norm of `input`, followed by ReLU when `relu` is true: fused into kiln's kernels
    /// where they serve the input, burn's batch norm (then ReLU) otherwise.
    pub(crate) fn run(&self, input: Tensor<4>, relu: bool) -> Tensor<4> {
        let bn = &self.inner;
        // A frozen layer on a training device (gradients may still flow through it) runs
        // burn's batch norm.
        #[cfg(feature = "kernels")]
        if kiln_kernels::accepts(&input)
            && (bn.training.is_enabled() || !input.device().is_autodiff())
        {
            return self.run_kernels(input, relu);
        }
        let y = bn.forward(input);
        if relu { crate::layers::relu(y) } else { y }
    }

    /// The per channel `[scale, shift]` of the affine map this layer applies in inference mode
    /// to the output of a layer with `bias`: `scale = γ/√(var + ε)`, `shift = β + (bias −
    /// mean)·scale`, for a convolution to fold in. `None` where the layer would not run on
    /// kiln's inference kernel for `input` (training, or a device the kernels do not serve).
    #[cfg(feature = "kernels")]
    pub(crate) fn folded(
        &self,
        input: &Tensor<4>,
        bias: Option<Tensor<1>>,
    ) -> Option<[Tensor<1>; 2]> {
        if !kiln_kernels::accepts(input) || input.device().is_autodiff() {
            return None;
        }
        let bn = &self.inner;
        let stats = [
            bn.gamma.val(),
            bn.beta.val(),
            bn.running_mean.value(),
            bn.running_var.value(),
        ];
        Some(kiln_kernels::fold_batch_norm(bias, stats, bn.epsilon))
    }

    /// [`run`](Self::run) by kiln's fused kernels, which serve `input`.
    #[cfg(feature = "kernels")]
    fn run_kernels(&self, input: Tensor<4>, relu: bool) -> Tensor<4> {
        let bn = &self.inner;
        let device = input.device();
        if !device.is_autodiff() {
            let stats = [
                bn.gamma.val(),
                bn.beta.val(),
                bn.running_mean.value(),
                bn.running_var.value(),
            ];
            return kiln_kernels::batch_norm(input, stats, bn.epsilon, relu);
        }
        let (output, mean, var) =
            kiln_kernels::batch_norm_train(input, bn.gamma.val(), bn.beta.val(), bn.epsilon, relu);
        let blend = |running: Tensor<1>, batch: Tensor<1>| {
            running
                .to_device(&device)
                .mul_scalar(1.0 - bn.momentum)
                .add(batch.detach().mul_scalar(bn.momentum))
                .detach()
        };
        bn.running_mean
            .update(blend(bn.running_mean.value_sync(), mean));
        bn.running_var
            .update(blend(bn.running_var.value_sync(), var));
        output
    }
}

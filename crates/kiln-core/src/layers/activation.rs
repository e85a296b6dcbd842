//! Element-wise activation functions.

use burn::module::Module;
use burn::tensor::{Device, Tensor, activation};

use crate::layer::Layer;

macro_rules! activation_layer {
    ($(#[$doc:meta])* $name:ident, $function:path, $label:literal) => {
        $(#[$doc])*
        ///
        /// # Shapes
        /// - input and output: `[batch, D, H, W]`
        #[derive(Module, Debug, Default)]
        pub struct $name;

        impl<const W: usize, const H: usize, const D: usize> Layer<W, H, D> for $name {
            const OUT: [usize; 3] = [W, H, D];
            const PARAMS: usize = 0;
            const FLOPS: usize = W * H * D;

            fn init(_device: &Device) -> Self {
                Self
            }

            fn forward_tensor(&self, input: Tensor<4>) -> Tensor<4> {
                $function(input)
            }

            fn describe() -> String {
                $label.to_string()
            }
        }
    };
}

/// ReLU by kiln's parallel kernel where it serves the tensor (f32 on a CPU device), burn's
/// elsewhere.
pub(crate) fn relu(x: Tensor<4>) -> Tensor<4> {
    #[cfg(feature = "kernels")]
    if kiln_kernels::accepts(&x) {
        return kiln_kernels::relu(x);
    }
    activation::relu(x)
}

activation_layer!(
    /// Rectified linear unit, max(0, x).
    Relu, relu, "relu"
);
activation_layer!(
    /// Logistic sigmoid, 1 / (1 + e^−x).
    Sigmoid, activation::sigmoid, "sigmoid"
);
activation_layer!(
    /// Hyperbolic tangent.
    Tanh, activation::tanh, "tanh"
);
activation_layer!(
    /// Gaussian error linear unit.
    Gelu, activation::gelu, "gelu"
);

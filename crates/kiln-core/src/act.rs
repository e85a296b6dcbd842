//! [`Act`], an activation batch whose width, height and depth are part of its type.

use burn::tensor::{Device, Distribution, Tensor};

use crate::Layer;
use crate::layers::BatchNorm;

/// A batch of activations of width `W`, height `H` and depth `D`; the batch size is a run-time
/// value.
///
/// # Shapes
/// - the wrapped tensor: `[batch, D, H, W]` (burn's and PyTorch's NCHW)
#[derive(Clone, Debug)]
pub struct Act<const W: usize, const H: usize, const D: usize> {
    tensor: Tensor<4>,
}

/// An untyped tensor did not have the shape a typed activation expects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShapeMismatch {
    /// The expected `[W, H, D]`.
    pub expected: [usize; 3],
    /// The dims the tensor had (NCHW).
    pub actual: Vec<usize>,
}

impl core::fmt::Display for ShapeMismatch {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let [w, h, d] = self.expected;
        write!(
            f,
            "expected a batch of {w}×{h}×{d} activations, dims [batch, {d}, {h}, {w}] (NCHW), \
             got dims {:?}",
            self.actual
        )
    }
}

impl std::error::Error for ShapeMismatch {}

impl<const W: usize, const H: usize, const D: usize> Act<W, H, D> {
    /// The shape `[W, H, D]` of this type.
    pub const SHAPE: [usize; 3] = [W, H, D];

    /// Checks an untyped batch at the boundary with untyped data.
    ///
    /// # Shapes
    /// - `tensor`: `[batch, D, H, W]`
    pub fn try_from_tensor(tensor: Tensor<4>) -> Result<Self, ShapeMismatch> {
        let [_, d, h, w] = tensor.dims();
        if [w, h, d] == [W, H, D] {
            Ok(Self { tensor })
        } else {
            Err(ShapeMismatch {
                expected: [W, H, D],
                actual: tensor.dims().to_vec(),
            })
        }
    }

    /// Wraps a tensor that a typed layer produced; its shape is guaranteed by the layer's
    /// [`Layer::OUT`].
    pub(crate) fn from_layer(tensor: Tensor<4>) -> Self {
        Self { tensor }
    }

    /// A batch drawn from the standard normal distribution.
    pub fn random(batch: usize, device: &Device) -> Self {
        Self {
            tensor: Tensor::random([batch, D, H, W], Distribution::Normal(0.0, 1.0), device),
        }
    }

    /// The untyped tensor, `[batch, D, H, W]`.
    pub fn into_tensor(self) -> Tensor<4> {
        self.tensor
    }

    /// The untyped tensor, `[batch, D, H, W]`, borrowed.
    pub fn tensor(&self) -> &Tensor<4> {
        &self.tensor
    }

    /// The batch size.
    pub fn batch_size(&self) -> usize {
        self.tensor.dims()[0]
    }

    /// Applies `layer`. The output type is written by the caller (or by `kiln::model!`) and
    /// checked against [`Layer::OUT`] when the call is compiled (`cargo build`); inside the macro
    /// the same constant is already checked by `cargo check`.
    ///
    /// # Shapes
    /// - input: `[batch, D, H, W]`
    /// - output: `[batch, D2, H2, W2]`
    pub fn apply<L: Layer<W, H, D>, const W2: usize, const H2: usize, const D2: usize>(
        self,
        layer: &L,
    ) -> Act<W2, H2, D2> {
        const { declared(L::OUT, [W2, H2, D2]) }
        Act::from_layer(layer.forward_tensor(self.tensor))
    }

    /// Applies `layer`, then ReLU, by [`Layer::forward_relu_tensor`] (one fused pass where the
    /// layer has a fused kernel): what `kiln::model!`'s forward pass runs for a layer followed
    /// by `relu`. The output type is checked as in [`apply`](Self::apply).
    ///
    /// # Shapes
    /// - input: `[batch, D, H, W]`
    /// - output: `[batch, D2, H2, W2]`
    pub fn apply_relu<L: Layer<W, H, D>, const W2: usize, const H2: usize, const D2: usize>(
        self,
        layer: &L,
    ) -> Act<W2, H2, D2> {
        const { declared(L::OUT, [W2, H2, D2]) }
        Act::from_layer(layer.forward_relu_tensor(self.tensor))
    }

    /// Applies `layer`, then batch norm `norm`, then ReLU when `relu`, by
    /// [`Layer::forward_norm_tensor`] (a convolution folds an inference-mode batch norm and
    /// the ReLU into its own output pass): what `kiln::model!`'s forward pass runs for a layer
    /// followed by `batch_norm`. The output type is checked as in [`apply`](Self::apply).
    ///
    /// # Shapes
    /// - input: `[batch, D, H, W]`
    /// - output: `[batch, D2, H2, W2]`
    pub fn apply_norm<
        L: Layer<W, H, D>,
        const W2: usize,
        const H2: usize,
        const D2: usize,
        const EPS_NANO: usize,
    >(
        self,
        layer: &L,
        norm: &BatchNorm<D2, EPS_NANO>,
        relu: bool,
    ) -> Act<W2, H2, D2> {
        const {
            declared(L::OUT, [W2, H2, D2]);
            declared(
                <BatchNorm<D2, EPS_NANO> as Layer<W2, H2, D2>>::OUT,
                [W2, H2, D2],
            );
        }
        Act::from_layer(layer.forward_norm_tensor(self.tensor, norm, relu))
    }

    /// Concatenates along depth (an Inception join). `D3` must be `D + D2`, checked when the
    /// call is compiled.
    ///
    /// # Shapes
    /// - `self`: `[batch, D, H, W]`, `other`: `[batch, D2, H, W]`
    /// - output: `[batch, D + D2, H, W]`
    pub fn concat<const D2: usize, const D3: usize>(self, other: Act<W, H, D2>) -> Act<W, H, D3> {
        const {
            assert!(
                D + D2 == D3,
                "kiln shape error: concatenated depth is not D + D2"
            )
        };
        Act {
            tensor: Tensor::cat(vec![self.tensor, other.tensor], 1),
        }
    }

    /// The same activation typed `Act<W2, H2, D2>`, which must be its own shape (checked when
    /// the call is compiled, like [`apply`](Self::apply)'s output type). `kiln::model!`'s joins
    /// pass their branches through it: the model's join constants already prove the shapes
    /// equal at `cargo check`, so a mismatch is reported once, by the join's rule with its
    /// message, and not again as a type error.
    ///
    /// # Shapes
    /// - input and output: `[batch, D, H, W]`
    pub fn same_shape<const W2: usize, const H2: usize, const D2: usize>(self) -> Act<W2, H2, D2> {
        const {
            assert!(
                W == W2 && H == H2 && D == D2,
                "kiln shape error: same_shape asked for another shape"
            )
        };
        Act {
            tensor: self.tensor,
        }
    }

    /// `max(self + other, 0)`: a residual join and the ReLU after it, in one pass by kiln's
    /// kernel where it serves the tensors (`f32` on flex or ndarray), burn's add and ReLU
    /// otherwise. What `kiln::model!`'s forward pass runs for `residual { … }, relu`.
    ///
    /// # Shapes
    /// - `self`, `other` and the output: `[batch, D, H, W]`
    pub fn add_relu(self, other: Self) -> Self {
        #[cfg(feature = "kernels")]
        if kiln_kernels::accepts(&self.tensor) && kiln_kernels::accepts(&other.tensor) {
            let tensor = kiln_kernels::add_relu(self.tensor, other.tensor);
            return Self { tensor };
        }
        let tensor = crate::layers::relu(self.tensor + other.tensor);
        Self { tensor }
    }
}

/// Fails the build when a layer's output shape `out` differs from the declared output type's
/// (called in a `const` block of a generic function, so evaluated by `cargo build`).
const fn declared(out: [usize; 3], declared: [usize; 3]) {
    assert!(
        out[0] == declared[0] && out[1] == declared[1] && out[2] == declared[2],
        "kiln shape error: the declared output type differs from the layer's output shape"
    );
}

impl<const N: usize> Act<1, 1, N> {
    /// The activations as a `[batch, N]` matrix (logits, features).
    pub fn into_matrix(self) -> Tensor<2> {
        let [batch, ..] = self.tensor.dims();
        self.tensor.reshape([batch, N])
    }
}

/// Element-wise sum, the join of a residual block: both sides have the same shape by type.
impl<const W: usize, const H: usize, const D: usize> core::ops::Add for Act<W, H, D> {
    type Output = Self;

    fn add(self, other: Self) -> Self {
        Self {
            tensor: self.tensor + other.tensor,
        }
    }
}

impl<const W: usize, const H: usize, const D: usize> TryFrom<Tensor<4>> for Act<W, H, D> {
    type Error = ShapeMismatch;

    fn try_from(tensor: Tensor<4>) -> Result<Self, Self::Error> {
        Self::try_from_tensor(tensor)
    }
}

//! Gradients of kiln's operators under burn's autodiff: one backward step per operator, on
//! the inner CPU backend's primitives.

use burn::backend::Shape;
use burn::backend::autodiff::NodeId;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, NodeGuard, Ops, OpsKind};
use burn::backend::ops::{FloatTensorOps, ModuleOps};
use burn::backend::tensor::FloatTensor;
use burn::backend::{Autodiff, TensorMetadata};

use crate::activation;
use crate::conv::{self, ConvGeometry};
use crate::extension::{
    ConvParams, KilnBackend, PoolParams, add_relu, batch_norm_train, conv2d_forward, geometry,
    max_pool2d, relu,
};
use crate::norm::{self, NormShape};
use crate::pool;
use crate::storage::CpuStorage;

/// The convolution's backward step; `N` is 3 with a bias, 2 without.
#[derive(Debug)]
struct ConvBackward;

/// What the backward step keeps: the checkpointed input and weight, and the geometry.
type ConvState = (NodeId, NodeId, ConvGeometry);

impl<B: CpuStorage, const N: usize> Backward<B, N> for ConvBackward {
    type State = ConvState;

    fn backward(
        self,
        ops: Ops<Self::State, N>,
        grads: &mut Gradients,
        checkpointer: &mut Checkpointer,
    ) {
        let grad = grads.consume::<B>(&ops.node);
        let (x_state, weight_state, g) = ops.state;
        let x = checkpointer.retrieve_node_output::<FloatTensor<B>>(x_state);
        let weight = checkpointer.retrieve_node_output::<FloatTensor<B>>(weight_state);
        B::with_f32(&grad, |dy| {
            if let Some(node) = &ops.parents[0] {
                let dx = B::with_f32(&weight, |w| conv::input_grad(&g, w, dy));
                grads.register::<B>(node.id, B::from_f32(dx, &g.input_shape()));
            }
            if let Some(node) = &ops.parents[1] {
                let dw = B::with_f32(&x, |x| conv::weight_grad(&g, x, dy));
                grads.register::<B>(node.id, B::from_f32(dw, &g.weight_shape()));
            }
            if let Some(Some(node)) = ops.parents.get(2) {
                grads.register::<B>(
                    node.id,
                    B::from_f32(conv::bias_grad(&g, dy), &[g.out_channels]),
                );
            }
        });
    }
}

/// Runs the forward convolution and, when a gradient is wanted, records the backward step.
fn record<B: CpuStorage, C: CheckpointStrategy, const N: usize>(
    kind: OpsKind<ConvBackward, B, ConvState, C, N>,
    x: &FloatTensor<Autodiff<B, C>>,
    weight: &FloatTensor<Autodiff<B, C>>,
    bias: Option<&FloatTensor<B>>,
    params: ConvParams,
) -> FloatTensor<Autodiff<B, C>> {
    let out = conv2d_forward::<B>(x.primitive(), weight.primitive(), bias, params);
    match kind {
        OpsKind::Tracked(mut prep) => {
            let g = geometry(&x.primitive().shape(), &weight.primitive().shape(), params);
            let state = (prep.checkpoint(x), prep.checkpoint(weight), g);
            prep.finish(state, out)
        }
        OpsKind::UnTracked(prep) => prep.finish(out),
    }
}

/// Batch norm's backward step (of batch norm followed by ReLU, when fused).
#[derive(Debug)]
struct BatchNormBackward;

/// The checkpointed input, γ and β, the batch mean and variance, ε, and whether a ReLU was
/// fused into the forward pass.
type BatchNormState<B> = (
    NodeId,
    NodeId,
    NodeId,
    FloatTensor<B>,
    FloatTensor<B>,
    f64,
    bool,
);

impl<B: CpuStorage> Backward<B, 3> for BatchNormBackward {
    type State = BatchNormState<B>;

    fn backward(
        self,
        ops: Ops<Self::State, 3>,
        grads: &mut Gradients,
        checkpointer: &mut Checkpointer,
    ) {
        let grad = grads.consume::<B>(&ops.node);
        let (x_state, gamma_state, beta_state, mean, var, epsilon, relu) = ops.state;
        let x = checkpointer.retrieve_node_output::<FloatTensor<B>>(x_state);
        let [gamma, beta] = [gamma_state, beta_state]
            .map(|node| B::to_f32_vec(&checkpointer.retrieve_node_output(node)));
        let [mean, var] = [&mean, &var].map(B::to_f32_vec);
        let dims = x.shape();
        let shape = NormShape::of(&dims);
        let (dx, dgamma, dbeta) = B::with_f32(&x, |x| {
            B::with_f32(&grad, |dy| {
                let stats = [&gamma[..], &beta, &mean, &var];
                norm::train_backward(shape, x, dy, stats, epsilon, relu)
            })
        });
        let [node_x, node_gamma, node_beta] = ops.parents;
        let channels = [shape.channels];
        for (node, value, shape) in [
            (node_x, dx, &dims[..]),
            (node_gamma, dgamma, &channels[..]),
            (node_beta, dbeta, &channels[..]),
        ] {
            if let Some(node) = node {
                grads.register::<B>(node.id, B::from_f32(value, shape));
            }
        }
    }
}

/// The backward step of ReLU over its `N` operands' sum (ReLU itself with one, a residual
/// join and its ReLU with two): keeps the output, which says where the sum passed, and gives
/// every operand the same gradient.
#[derive(Debug)]
struct ReluBackward;

impl<B: CpuStorage, const N: usize> Backward<B, N> for ReluBackward {
    type State = FloatTensor<B>;

    fn backward(
        self,
        ops: Ops<Self::State, N>,
        grads: &mut Gradients,
        _checkpointer: &mut Checkpointer,
    ) {
        // Recorded only when an operand is tracked, so at least one parent wants the gradient.
        let grad = grads.consume::<B>(&ops.node);
        let output = ops.state;
        let dx = B::with_f32(&output, |y| {
            B::with_f32(&grad, |dy| activation::relu_backward(y, dy))
        });
        let dx = B::from_f32(dx, &output.shape());
        for node in ops.parents.into_iter().flatten() {
            grads.register::<B>(node.id, dx.clone());
        }
    }
}

/// Max pooling's backward step: keeps where each window's maximum was.
#[derive(Debug)]
struct MaxPoolBackward;

impl<B: CpuStorage> Backward<B, 1> for MaxPoolBackward {
    type State = (Vec<u32>, ConvGeometry);

    fn backward(
        self,
        ops: Ops<Self::State, 1>,
        grads: &mut Gradients,
        _checkpointer: &mut Checkpointer,
    ) {
        let grad = grads.consume::<B>(&ops.node);
        let (at, g) = ops.state;
        let dx = B::with_f32(&grad, |dy| pool::max_pool_backward(&g, dy, &at));
        if let [Some(node)] = ops.parents {
            grads.register::<B>(node.id, B::from_f32(dx, &g.input_shape()));
        }
    }
}

/// `y`, the ReLU of the sum of the tensors of `nodes`, with its backward step recorded when a
/// gradient is wanted.
fn track_relu<B: CpuStorage, C: CheckpointStrategy, const N: usize>(
    nodes: [NodeGuard; N],
    y: FloatTensor<B>,
) -> FloatTensor<Autodiff<B, C>> {
    match ReluBackward.prepare::<C>(nodes).compute_bound().stateful() {
        OpsKind::Tracked(prep) => prep.finish(y.clone(), y),
        OpsKind::UnTracked(prep) => prep.finish(y),
    }
}

impl<B: KilnBackend + CpuStorage, C: CheckpointStrategy> KilnBackend for Autodiff<B, C> {
    fn kiln_conv2d(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        params: ConvParams,
    ) -> FloatTensor<Self> {
        let nodes = [x.node(), weight.node()];
        let kind = ConvBackward.prepare::<C>(nodes).compute_bound().stateful();
        record(kind, &x, &weight, None, params)
    }

    fn kiln_conv2d_bias(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
        params: ConvParams,
    ) -> FloatTensor<Self> {
        let nodes = [x.node(), weight.node(), bias.node()];
        let kind = ConvBackward.prepare::<C>(nodes).compute_bound().stateful();
        record(kind, &x, &weight, Some(bias.primitive()), params)
    }

    /// The convolution (tracked), then burn's differentiable multiply and add and kiln's
    /// ReLU: the folded form serves inference, and this keeps its gradients correct where a
    /// training device runs it.
    fn kiln_conv2d_affine(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        scale: FloatTensor<Self>,
        shift: FloatTensor<Self>,
        params: ConvParams,
        relu: bool,
    ) -> FloatTensor<Self> {
        let per_channel = |t: FloatTensor<Self>| {
            let channels = t.shape()[0];
            Self::float_reshape(t, Shape::new([1, channels, 1, 1]))
        };
        let y = Self::kiln_conv2d(x, weight, params);
        let y = Self::float_add(Self::float_mul(y, per_channel(scale)), per_channel(shift));
        if relu { Self::kiln_relu(y) } else { y }
    }

    fn kiln_batch_norm_train(
        x: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        beta: FloatTensor<Self>,
        epsilon: f64,
        relu: bool,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>) {
        let nodes = [x.node(), gamma.node(), beta.node()];
        let (y, mean, var) = batch_norm_train::<B>(
            x.primitive(),
            gamma.primitive(),
            beta.primitive(),
            epsilon,
            relu,
        );
        let y = match BatchNormBackward
            .prepare::<C>(nodes)
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(mut prep) => {
                let state = (
                    prep.checkpoint(&x),
                    prep.checkpoint(&gamma),
                    prep.checkpoint(&beta),
                    mean.clone(),
                    var.clone(),
                    epsilon,
                    relu,
                );
                prep.finish(state, y)
            }
            OpsKind::UnTracked(prep) => prep.finish(y),
        };
        // The statistics feed the running averages only: constants to autodiff.
        (
            y,
            <FloatTensor<Self>>::new(mean),
            <FloatTensor<Self>>::new(var),
        )
    }

    fn kiln_max_pool2d(x: FloatTensor<Self>, params: PoolParams) -> FloatTensor<Self> {
        let (y, at, g) = max_pool2d::<B>(x.primitive(), params);
        match MaxPoolBackward
            .prepare::<C>([x.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => prep.finish((at, g), y),
            OpsKind::UnTracked(prep) => prep.finish(y),
        }
    }

    fn kiln_relu(x: FloatTensor<Self>) -> FloatTensor<Self> {
        track_relu::<B, C, 1>([x.node()], relu::<B>(x.primitive()))
    }

    fn kiln_add_relu(a: FloatTensor<Self>, b: FloatTensor<Self>) -> FloatTensor<Self> {
        let y = add_relu::<B>(a.primitive(), b.primitive());
        track_relu::<B, C, 2>([a.node(), b.node()], y)
    }

    /// Inference-mode batch norm on a training device (a frozen layer): burn's differentiable
    /// composition, since gradients may still flow through it, then kiln's ReLU with `relu`.
    fn kiln_batch_norm(
        x: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        beta: FloatTensor<Self>,
        mean: FloatTensor<Self>,
        var: FloatTensor<Self>,
        epsilon: f64,
        relu: bool,
    ) -> FloatTensor<Self> {
        let y = <Self as ModuleOps<Self>>::batch_norm(x, gamma, beta, mean, var, epsilon);
        if relu { Self::kiln_relu(y) } else { y }
    }
}

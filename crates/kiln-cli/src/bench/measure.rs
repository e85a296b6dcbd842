//! kiln's side of the bench: its ResNets with its kernels (in each SIMD width) and with
//! burn's operators, plain burn's ResNet-20, and each ResNet-20 convolution shape.

use std::error::Error;
use std::time::Instant;

use burn::backend::Flex;
use burn::backend::ops::ModuleOps;
use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::GradientsParams;
use burn::tensor::ops::ConvOptions;
use burn::tensor::{Device, Distribution, Int, Tensor};
use kiln::Model;
use kiln::burn;
use kiln::kernels::conv::{self, ConvGeometry};
use kiln::kernels::{CpuStorage, SimdLimit};
use kiln::models::{CompactResNet8, ResNet20};
use kiln::train::Optimizer;

use super::pytorch::Session;
use super::tables::{self, Rows, record};
use super::{Args, plain_resnet};
use crate::zoo::ResNet20::grey::ResNet20 as ResNet20Grey;

/// The median seconds of `steps` timed calls of `f`, after two untimed calls: one layer's pass
/// takes milliseconds, and on a shared machine a few stalls would dominate a mean.
fn median_seconds(steps: usize, mut f: impl FnMut()) -> f64 {
    f();
    f();
    let mut times: Vec<f64> = (0..steps.max(1))
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

/// Seconds per call of `f`, after two untimed calls.
fn seconds_per_call(steps: usize, mut f: impl FnMut()) -> f64 {
    f();
    f();
    let start = Instant::now();
    for _ in 0..steps {
        f();
    }
    start.elapsed().as_secs_f64() / steps as f64
}

/// A model the bench can time: its input shape and its logits.
pub(super) trait Bench: Module + Clone {
    const INPUT: [usize; 3];
    fn create(device: &Device) -> Self;
    fn logits(&self, images: Tensor<4>) -> Tensor<2>;
}

/// kiln's models: their own input shape and `forward_tensor`.
macro_rules! kiln_bench {
    ($($model:ty),*) => {$(
        impl Bench for $model {
            const INPUT: [usize; 3] = <$model as Model>::INPUT;
            fn create(device: &Device) -> Self {
                <$model as Model>::init(device)
            }
            fn logits(&self, images: Tensor<4>) -> Tensor<2> {
                let out = self
                    .forward_tensor(images)
                    .expect("the bench builds inputs of the model's shape");
                let [batch, classes, ..] = out.dims();
                out.reshape([batch, classes])
            }
        }
    )*};
}

kiln_bench!(ResNet20Grey, CompactResNet8, ResNet20);

/// Training images/s: forward, cross-entropy, backward and an SGD step with momentum and
/// weight decay (the training recipe's optimiser), on one fixed random batch.
fn train_speed<M: Bench>(args: &Args, model: M, device: &Device) -> f64 {
    let [w, h, d] = M::INPUT;
    let images = Tensor::<4>::random(
        [args.batch, d, h, w],
        Distribution::Normal(0.0, 1.0),
        device,
    );
    let labels = Tensor::<1, Int>::from_data(
        burn::tensor::TensorData::new(
            (0..args.batch as i64).map(|i| i % 10).collect(),
            [args.batch],
        ),
        device,
    );
    let mut optimizer = Optimizer::SGD.init(5e-4, None);
    let loss_fn = CrossEntropyLossConfig::new().init(device);
    let mut model = Some(model);
    let secs = seconds_per_call(args.steps, || {
        let current = model.take().expect("the model is put back after each step");
        let loss = loss_fn.forward(current.logits(images.clone()), labels.clone());
        let _ = loss.clone().into_scalar::<f32>();
        let grads = GradientsParams::from_grads(loss.backward(), &current);
        model = Some(optimizer.step(0.01, current, grads));
    });
    args.batch as f64 / secs
}

/// Inference images/s of a model on a device without autodiff.
fn inference_speed<M: Bench>(args: &Args, model: &M, device: &Device) -> f64 {
    let [w, h, d] = M::INPUT;
    let images = Tensor::<4>::random(
        [args.batch, d, h, w],
        Distribution::Normal(0.0, 1.0),
        device,
    );
    let secs = seconds_per_call(args.steps, || {
        let _ = model.logits(images.clone()).into_data();
    });
    args.batch as f64 / secs
}

/// Which operators a variant runs.
#[derive(Clone, Copy, PartialEq)]
enum Ops {
    /// kiln's kernels, with the direct convolution in the widest registers the CPU has.
    Kiln,
    /// kiln's kernels with the direct convolution in AVX2 registers (`KILN_SIMD=avx2`).
    KilnAvx2,
    /// kiln's kernels with every convolution on im2col + gemm (`KILN_SIMD=none`).
    KilnIm2col,
    /// burn's own operators.
    Burn,
}

impl Ops {
    fn select(self) {
        kiln::kernels::set_enabled(self != Ops::Burn);
        kiln::kernels::set_simd_limit(match self {
            Ops::Kiln => SimdLimit::Avx512,
            Ops::KilnAvx2 => SimdLimit::Avx2,
            Ops::KilnIm2col | Ops::Burn => SimdLimit::None,
        });
    }
}

fn measure<M: Bench>(args: &Args, rows: &mut Rows, name: &str, variant: &str, ops: Ops) {
    measure_on::<M>(args, rows, name, variant, ops, Device::flex());
}

/// Whether a `--model`/`--layer` or `--variant` filter leaves out `name` or `variant`.
fn skipped(filter: &Option<String>, value: &str) -> bool {
    filter.as_ref().is_some_and(|f| f != value)
}

/// Times `M` training and inferring with `ops` on `device`, into `rows` as
/// `(name, variant) → [train, inference]` images/s.
fn measure_on<M: Bench>(
    args: &Args,
    rows: &mut Rows,
    name: &str,
    variant: &str,
    ops: Ops,
    device: Device,
) {
    if skipped(&args.model, name) || skipped(&args.variant, variant) {
        return;
    }
    ops.select();
    let train_device = device.clone().autodiff();
    let train = train_speed(args, M::create(&train_device), &train_device);
    let infer = inference_speed(args, &M::create(&device), &device);
    eprintln!("{name} {variant}: train {train:.1} images/s, inference {infer:.1} images/s");
    record(rows, name, variant, vec![train, infer]);
}

/// One ResNet-20 convolution at 28×28: input depth, output depth, input side, stride.
const RESNET20_CONVS: [(usize, usize, usize, usize); 6] = [
    (1, 16, 28, 1),
    (16, 16, 28, 1),
    (16, 32, 28, 2),
    (32, 32, 14, 1),
    (32, 64, 14, 2),
    (64, 64, 7, 1),
];

/// GFLOP/s of one convolution shape, forward, input gradient and weight gradient, with kiln's
/// kernels or burn's operators, from the median time of a call. Each pass is timed on its own,
/// as a training step's backward calls it: kiln's `conv::{forward, input_grad, weight_grad}`
/// on slices, or flex's `conv2d`, `conv2d_x_backward` and `conv2d_weight_backward` on its
/// tensors.
fn layer_speed(
    args: &Args,
    (c, k, side, stride): (usize, usize, usize, usize),
    ops: Ops,
) -> [f64; 3] {
    ops.select();
    let g = ConvGeometry {
        batch: args.batch,
        in_channels: c,
        in_h: side,
        in_w: side,
        out_channels: k,
        kernel_h: 3,
        kernel_w: 3,
        stride: [stride; 2],
        padding: [1; 4],
        dilation: [1, 1],
    };
    let flop = 2.0 * (g.batch * k * g.out_pixels() * g.patch_len()) as f64;
    let random = |shape: [usize; 4]| {
        let normal = Distribution::Normal(0.0, 1.0);
        let t = Tensor::<4>::random(shape, normal, &Device::flex());
        t.into_data().try_to_vec::<f32>().expect("f32 tensor")
    };
    let (x, w, dy) = (
        random(g.input_shape()),
        random(g.weight_shape()),
        random(g.output_shape()),
    );
    let time = |pass: &mut dyn FnMut()| flop / median_seconds(args.steps, pass).max(1e-9) / 1e9;
    if ops == Ops::Burn {
        let tensor = |v: &[f32], shape: [usize; 4]| Flex::from_f32(v.to_vec(), &shape);
        let (xt, wt, dyt) = (
            tensor(&x, g.input_shape()),
            tensor(&w, g.weight_shape()),
            tensor(&dy, g.output_shape()),
        );
        let options = || ConvOptions::new([stride; 2], [1, 1], [1, 1], 1);
        return [
            time(&mut || drop(Flex::conv2d(xt.clone(), wt.clone(), None, options()))),
            time(&mut || {
                drop(Flex::conv2d_x_backward(
                    xt.clone(),
                    wt.clone(),
                    dyt.clone(),
                    options(),
                ))
            }),
            time(&mut || {
                drop(Flex::conv2d_weight_backward(
                    xt.clone(),
                    wt.clone(),
                    dyt.clone(),
                    options(),
                ))
            }),
        ];
    }
    [
        time(&mut || drop(conv::forward(&g, &x, &w, conv::Epilogue::default()))),
        time(&mut || drop(conv::input_grad(&g, &w, &dy))),
        time(&mut || drop(conv::weight_grad(&g, &x, &dy))),
    ]
}

/// The variants of a whole-model row beside `kiln` measured once: kiln's narrower paths.
const OTHER_VARIANTS: [(Ops, &str); 2] = [
    (Ops::KilnAvx2, "kiln-avx2"),
    (Ops::KilnIm2col, "kiln-im2col"),
];

/// How the bench times one model in one variant (`measure::<M>`).
type Measure = fn(&Args, &mut Rows, &str, &str, Ops);

/// Times every model and layer variant `args` leaves in, into `models` and `layers`: `kiln`
/// and PyTorch (when `torch` is running) in turn for `args.rounds` rounds, kiln on burn's
/// operators and plain burn likewise where the model has a plain-burn twin, then the other
/// variants once.
pub fn run(
    args: &Args,
    models: &mut Rows,
    layers: &mut Rows,
    mut torch: Option<&mut Session>,
) -> Result<(), Box<dyn Error>> {
    let rounds = args.rounds.max(1);
    if !args.no_models {
        let mut model = |name: &str, measure: Measure, plain: Option<Measure>| {
            if skipped(&args.model, name) {
                return Ok::<_, Box<dyn Error>>(());
            }
            for _ in 0..rounds {
                measure(args, models, name, "kiln", Ops::Kiln);
                if let Some(torch) = torch.as_deref_mut() {
                    tables::parse(&torch.ask(&format!("model {name}"))?, "RESULT", models);
                }
            }
            for (ops, variant) in OTHER_VARIANTS {
                measure(args, models, name, variant, ops);
            }
            // The cost of kiln's types: kiln on burn's operators beside the same net in plain
            // burn, in turn as well.
            for _ in 0..plain.map_or(1, |_| rounds) {
                measure(args, models, name, "kiln-burn-ops", Ops::Burn);
                if let Some(plain) = plain {
                    plain(args, models, name, "plain-burn", Ops::Burn);
                }
            }
            Ok(())
        };
        model(
            "resnet20-28x28x1",
            measure::<ResNet20Grey>,
            Some(measure::<plain_resnet::PlainResNet20<1, 28>>),
        )?;
        model("compact-resnet8-28x28x1", measure::<CompactResNet8>, None)?;
        model(
            "resnet20-32x32x3",
            measure::<ResNet20>,
            Some(measure::<plain_resnet::PlainResNet20<3, 32>>),
        )?;
    }
    #[cfg(feature = "ndarray")]
    if args.ndarray {
        measure_on::<ResNet20Grey>(
            args,
            models,
            "resnet20-28x28x1",
            "kiln-ndarray",
            Ops::Kiln,
            crate::backend::Backend::Ndarray.device(),
        );
    }
    if !args.no_layers {
        for shape in RESNET20_CONVS {
            let (c, k, side, stride) = shape;
            let name = format!("{c}->{k} {side}x{side} s{stride}");
            if skipped(&args.layer, &name) {
                continue;
            }
            let layer = |layers: &mut Rows, ops: Ops, variant: &str| {
                if !skipped(&args.variant, variant) {
                    let [f, x, w] = layer_speed(args, shape, ops);
                    eprintln!("{name} {variant}: {f:.1} / {x:.1} / {w:.1} GFLOP/s");
                    record(layers, &name, variant, vec![f, x, w]);
                }
            };
            for _ in 0..rounds {
                layer(layers, Ops::Kiln, "kiln");
                if let Some(torch) = torch.as_deref_mut() {
                    let answer = torch.ask(&format!("layer {c} {k} {side} {stride}"))?;
                    tables::parse(&answer, "LAYER", layers);
                }
            }
            layer(layers, Ops::KilnAvx2, "kiln-avx2");
            layer(layers, Ops::KilnIm2col, "kiln-im2col");
            layer(layers, Ops::Burn, "burn");
        }
    }
    Ops::Kiln.select();
    Ok(())
}

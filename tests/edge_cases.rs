//! Valid edge configurations compile (this file is the compile-pass suite) and run with exactly
//! the shapes their types state; residual, concat and custom layers compose.

mod common;

use common::{Crop, max_abs_diff};
use kiln::burn::tensor::{Device, Tensor};
use kiln::{Act, Model};

kiln::model! {
    /// Edge cases of the window rule.
    pub struct Edges {
        input: [5, 7, 2],
        whole: conv(3, 7, pad = 1),
    }
}

kiln::model! {
    /// Stride 3, rectangular input, dilation, groups, edge padding.
    pub struct Strides {
        input: [10, 16, 4],
        s3: conv(4, 4, stride = 3, pad = 0),
        dilated: conv(8, 2, dilation = 2, pad = 1),
        grouped: conv(8, 3, pad = 1, groups = 4, bias = false),
        edge: conv(8, 3, pad = 1, pad_mode = edge),
        pool: avg_pool(2, stride = 1),
    }
}

kiln::model! {
    /// torchvision's floored stem and GoogLeNet's ceil-mode pooling, declared.
    pub struct Rounded {
        input: [224, 224, 3],
        stem: conv(8, 7, stride = 2, pad = 3, round = floor),
        pool: max_pool(3, stride = 2, round = ceil),
        proj: conv(8, 1, stride = 2, round = floor),
    }
}

kiln::model! {
    /// A residual network fragment with identity and projection shortcuts and an Inception-like
    /// concatenation, plus a user-defined layer.
    pub struct Composite {
        input: [16, 12, 3],
        stem: conv(8, 3, pad = 1),
        same: residual {
            conv1: conv(8, 3, pad = 1),
            bn1: batch_norm,
            relu,
        },
        down: residual {
            conv1: conv(16, 4, stride = 2, pad = 1),
        } shortcut {
            proj: conv(16, 1, stride = 2, round = floor),
        },
        mix: concat {
            one { conv(4, 1) },
            three { conv(2, 1), relu, conv(6, 3, pad = 1) },
            pool { max_pool(3, stride = 1, pad = 1), conv(2, 1) },
        },
        crop: layer(Crop<1>),
        gap: global_avg_pool,
        flatten,
        fc: linear(5),
    }
}

#[test]
fn edge_shapes_are_as_computed_by_hand() {
    // (5 − 7 + 2)/1 + 1 = 1 wide, (7 − 7 + 2)/1 + 1 = 3 high: F equal to the padded width.
    assert_eq!(Edges::OUTPUT, [1, 3, 3]);
    // (10 − 4)/3 + 1 = 3, (16 − 4)/3 + 1 = 5; dilated extent 3 with pad 1 keeps the size.
    assert_eq!(Strides::OUTPUT, [2, 4, 8]);
    // 224 → 112 (floor of 112.5) → 56 (ceil of 55.5) → 28 (floor of 28.5).
    assert_eq!(Rounded::OUTPUT, [28, 28, 8]);
    assert_eq!(Composite::OUTPUT, [1, 1, 5]);
}

fn run<M: Model>(model: &M, device: &Device) -> Tensor<4> {
    let [w, h, d] = M::INPUT;
    let input = Tensor::random(
        [2, d, h, w],
        kiln::burn::tensor::Distribution::Default,
        device,
    );
    let out = model
        .forward_tensor(input)
        .expect("input has the model's shape");
    let [w2, h2, d2] = M::OUTPUT;
    assert_eq!(out.dims(), [2, d2, h2, w2]);
    out
}

#[test]
fn models_run_with_the_shapes_their_types_state() {
    let device = Device::flex();
    run(&Edges::init(&device), &device);
    run(&Strides::init(&device), &device);
    run(&Rounded::init(&device), &device);
    run(&Composite::init(&device), &device);
}

#[test]
fn summaries_mark_declared_rounding_and_total_the_constants() {
    let summary = Rounded::summary();
    let text = summary.to_string();
    assert!(text.contains("[floor: 1 col, 1 row unread]"), "{text}");
    assert!(text.contains("[ceil: +1 col, +1 row padded]"), "{text}");
    assert_eq!(summary.total_params(), Rounded::PARAMS);
    assert_eq!(Composite::summary().total_params(), Composite::PARAMS);
    assert_eq!(Composite::summary().total_flops(), Composite::FLOPS);
    assert!(Composite::summary().to_string().contains("crop 1"));
}

kiln::model! {
    /// One residual block with an identity shortcut.
    pub struct ResidualOnly {
        input: [6, 5, 4],
        block: residual {
            conv1: conv(4, 3, pad = 1),
            relu,
        },
    }
}

kiln::model! {
    /// One concatenation of two branches.
    pub struct ConcatOnly {
        input: [5, 6, 2],
        mix: concat {
            a { c: conv(3, 1) },
            b { c: conv(2, 3, pad = 1) },
        },
    }
}

#[test]
fn residual_adds_the_input_to_the_branch() {
    let device = Device::flex();
    let model = ResidualOnly::init(&device);
    let x = Act::<6, 5, 4>::random(2, &device);
    let branch = model.block.conv1.inner.forward(x.tensor().clone());
    let expected = kiln::burn::tensor::activation::relu(branch) + x.tensor().clone();
    assert!(max_abs_diff(model.forward(x).into_tensor(), expected) < 1e-6);
}

#[test]
fn concat_stacks_the_branches_along_depth() {
    let device = Device::flex();
    let model = ConcatOnly::init(&device);
    let x = Act::<5, 6, 2>::random(2, &device);
    let a = model.mix.a.c.inner.forward(x.tensor().clone());
    let b = model.mix.b.c.inner.forward(x.tensor().clone());
    let expected = Tensor::cat(vec![a, b], 1);
    let got: Act<5, 6, 5> = model.forward(x);
    assert!(max_abs_diff(got.into_tensor(), expected) < 1e-6);
    let rows = Composite::summary().rows;
    let mix = rows.iter().find(|r| r.name == "mix").expect("mix row");
    assert_eq!(mix.output, [8, 6, 4 + 6 + 2]);
}

#[test]
fn untyped_input_of_the_wrong_shape_is_an_error_naming_both() {
    let device = Device::flex();
    let wrong = Tensor::<4>::zeros([2, 3, 28, 28], &device);
    let err = Act::<28, 28, 1>::try_from_tensor(wrong).unwrap_err();
    assert_eq!(err.expected, [28, 28, 1]);
    assert_eq!(err.actual, vec![2, 3, 28, 28]);
    assert_eq!(
        err.to_string(),
        "expected a batch of 28×28×1 activations, dims [batch, 1, 28, 28] (NCHW), got dims [2, 3, 28, 28]"
    );
    let model = Composite::init(&device);
    assert!(
        model
            .forward_tensor(Tensor::zeros([1, 3, 16, 16], &device))
            .is_err()
    );
}

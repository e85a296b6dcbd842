//! The model zoo against torchvision: parameter counts, stage shapes and the agreement of the
//! compile-time constants, the summaries and burn's run-time count.

use kiln::Model;
use kiln::Summary;
use kiln::burn::module::Module;
use kiln::burn::tensor::Device;
use kiln::models::{
    AlexNet, AlexNetPaper, AlexNetPaperGrouped, CompactResNet8, GoogLeNet, Plain20, ResNet18,
    ResNet20, ResNet34, ResNet50, ResNet101, ResNet152, Vgg11, Vgg11Bn, Vgg13, Vgg16, Vgg16Bn,
    Vgg19,
};
use serde_json::Value;

const REFERENCE: &str = "../shared/fixtures/torchvision-reference.json";

fn reference() -> Value {
    let text =
        std::fs::read_to_string(REFERENCE).expect("the shared fixtures sit beside the clone");
    serde_json::from_str(&text).expect("the reference is JSON")
}

/// The compile-time count, the summary's total and burn's run-time count agree.
fn counts_agree<M: Model + Module>() -> usize {
    let summary = M::summary();
    assert_eq!(summary.total_params(), M::PARAMS, "{}", summary.model);
    let model = M::init(&Device::flex());
    assert_eq!(
        model.num_params(),
        M::PARAMS + M::BUFFERS,
        "{}: run-time count",
        summary.model
    );
    M::PARAMS
}

/// Whether the top-level summary row `row` belongs to torchvision's top-level child `stage`:
/// named `stage`, `stage_N` or `stageN` (an auto-named layer such as `relu3`).
fn belongs(row: &str, stage: &str) -> bool {
    !row.contains('.')
        && row.strip_prefix(stage).is_some_and(|rest| {
            rest.is_empty()
                || rest.starts_with('_')
                || rest.starts_with(|c: char| c.is_ascii_digit())
        })
}

/// The output `[W, H, D]` of torchvision's top-level child `stage`: the last row belonging to
/// it before the first row of the child that follows it (`next`), if any.
fn stage_output(summary: &Summary, stage: &str, next: Option<&str>) -> [usize; 3] {
    let end = next
        .and_then(|next| summary.rows.iter().position(|row| belongs(&row.name, next)))
        .unwrap_or(summary.rows.len());
    summary.rows[..end]
        .iter()
        .rev()
        .find(|row| belongs(&row.name, stage))
        .unwrap_or_else(|| panic!("{}: no row for stage {stage}", summary.model))
        .output
}

fn check_against_torchvision(key: &str, summary: Summary, params: usize) {
    let reference = reference();
    let entry = &reference["models"][key];
    assert_eq!(
        params as u64,
        entry["params"].as_u64().unwrap(),
        "{key} params"
    );
    let stages = entry["top_level_output_shapes_nchw"].as_array().unwrap();
    for (i, stage) in stages.iter().enumerate() {
        let name = stage[0].as_str().unwrap();
        let next = stages.get(i + 1).map(|s| s[0].as_str().unwrap());
        let nchw: Vec<usize> = stage[1]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_u64().unwrap() as usize)
            .collect();
        let expected = match nchw[..] {
            [_, c, h, w] => [w, h, c],
            [_, c] => [1, 1, c],
            _ => panic!("{key}: unexpected shape {nchw:?}"),
        };
        assert_eq!(
            stage_output(&summary, name, next),
            expected,
            "{key}: stage {name}"
        );
    }
}

#[test]
fn alexnet_and_vgg_match_torchvision() {
    check_against_torchvision("alexnet", AlexNet::summary(), counts_agree::<AlexNet>());
    check_against_torchvision("vgg11", Vgg11::summary(), counts_agree::<Vgg11>());
    check_against_torchvision("vgg11_bn", Vgg11Bn::summary(), counts_agree::<Vgg11Bn>());
    check_against_torchvision("vgg13", Vgg13::summary(), counts_agree::<Vgg13>());
    check_against_torchvision("vgg16", Vgg16::summary(), counts_agree::<Vgg16>());
    check_against_torchvision("vgg16_bn", Vgg16Bn::summary(), counts_agree::<Vgg16Bn>());
    check_against_torchvision("vgg19", Vgg19::summary(), counts_agree::<Vgg19>());
}

#[test]
fn resnets_match_torchvision() {
    check_against_torchvision("resnet18", ResNet18::summary(), counts_agree::<ResNet18>());
    check_against_torchvision("resnet34", ResNet34::summary(), counts_agree::<ResNet34>());
    check_against_torchvision("resnet50", ResNet50::summary(), counts_agree::<ResNet50>());
    check_against_torchvision(
        "resnet101",
        ResNet101::summary(),
        counts_agree::<ResNet101>(),
    );
    check_against_torchvision(
        "resnet152",
        ResNet152::summary(),
        counts_agree::<ResNet152>(),
    );
}

#[test]
fn googlenet_matches_torchvision_with_and_without_aux_heads() {
    let params = counts_agree::<GoogLeNet>();
    check_against_torchvision("googlenet", GoogLeNet::summary(), params);
    let without = reference()["models"]["googlenet"]["params_without_aux"]
        .as_u64()
        .unwrap();
    assert_eq!((GoogLeNet::PARAMS - GoogLeNet::AUX_PARAMS) as u64, without);
    let model = GoogLeNet::init(&Device::flex());
    let aux_runtime = model.aux1.num_params() + model.aux2.num_params();
    assert_eq!(
        model.num_params() - aux_runtime,
        GoogLeNet::PARAMS - GoogLeNet::AUX_PARAMS + GoogLeNet::BUFFERS - aux_bn_buffers()
    );
}

/// The aux heads' batch-norm running statistics: one 128-deep batch norm each.
fn aux_bn_buffers() -> usize {
    2 * (2 * 128)
}

/// A CIFAR ResNet's parameters counted by hand: 3×3 convolutions without bias, two per block,
/// each followed by a batch norm (2 per depth slice), a 16-filter stem, a `classes`-way fully
/// connected layer, and option-B projections (1×1 convolution and batch norm) if asked for.
fn cifar_params(n: usize, classes: usize, projections: bool) -> usize {
    let conv = |d1: usize, k: usize| 9 * d1 * k + 2 * k;
    let stem = conv(3, 16);
    let stage1 = n * 2 * conv(16, 16);
    let stage2 = conv(16, 32) + conv(32, 32) + (n - 1) * 2 * conv(32, 32);
    let stage3 = conv(32, 64) + conv(64, 64) + (n - 1) * 2 * conv(64, 64);
    let shortcuts = if projections {
        (16 * 32 + 2 * 32) + (32 * 64 + 2 * 64)
    } else {
        0
    };
    stem + stage1 + stage2 + stage3 + shortcuts + 64 * classes + classes
}

kiln::models::cifar_resnet!(
    /// ResNet-20 with option-B (projection) shortcuts.
    struct ResNet20B, input: [32, 32, 3], classes: 10, n: 3, shortcut: B
);
kiln::models::cifar_resnet!(
    /// ResNet-56.
    struct ResNet56, input: [32, 32, 3], classes: 10, n: 9, shortcut: A
);
kiln::models::cifar_resnet!(
    /// ResNet-110.
    struct ResNet110, input: [32, 32, 3], classes: 10, n: 18, shortcut: A
);
kiln::models::cifar_plain!(
    /// The 110-layer plain net.
    struct Plain110, input: [32, 32, 3], classes: 10, n: 18
);

#[test]
fn cifar_resnets_and_plain_nets_have_the_counted_parameters() {
    assert_eq!(counts_agree::<ResNet20>(), cifar_params(3, 10, false));
    assert_eq!(counts_agree::<ResNet20>(), 269_722);
    assert_eq!(counts_agree::<ResNet20B>(), cifar_params(3, 10, true));
    assert_eq!(counts_agree::<ResNet56>(), cifar_params(9, 10, false));
    assert_eq!(counts_agree::<ResNet110>(), cifar_params(18, 10, false));
    assert_eq!(counts_agree::<Plain20>(), cifar_params(3, 10, false));
    assert_eq!(counts_agree::<Plain110>(), cifar_params(18, 10, false));
    // 6n + 2 weighted layers: 2n convolutions per stage, the stem and the classifier.
    let weighted = |s: Summary| {
        s.rows
            .iter()
            .filter(|r| r.kind.starts_with("conv") || r.kind.starts_with("linear"))
            .filter(|r| !r.name.contains("shortcut"))
            .count()
    };
    assert_eq!(weighted(ResNet110::summary()), 110);
    assert_eq!(weighted(Plain20::summary()), 20);
}

kiln::models::cifar_resnet!(
    /// ResNet-8: one block per stage (`repeat(1..1)` is empty).
    struct ResNet8, input: [32, 32, 3], classes: 10, n: 1, shortcut: A
);
kiln::models::compact_resnet!(
    /// The compact ResNet-14.
    struct CompactResNet14, input: [28, 28, 1], classes: 10, n: 2
);

/// The compact ResNet's parameters counted by hand: a 32-filter stem on `depth` channels,
/// stages of 32, 64 and 128 filters with `n` blocks of two 3×3 convolutions (no bias) and
/// batch norms, and the classifier.
fn compact_params(depth: usize, n: usize, classes: usize) -> usize {
    let conv = |d1: usize, k: usize| 9 * d1 * k + 2 * k;
    let stage = |d1: usize, k: usize| conv(d1, k) + conv(k, k) + (n - 1) * 2 * conv(k, k);
    conv(depth, 32) + stage(32, 32) + stage(32, 64) + stage(64, 128) + 128 * classes + classes
}

#[test]
fn one_block_per_stage_and_the_compact_resnets_have_the_counted_parameters() {
    assert_eq!(counts_agree::<ResNet8>(), cifar_params(1, 10, false));
    assert_eq!(counts_agree::<CompactResNet8>(), compact_params(1, 1, 10));
    assert_eq!(counts_agree::<CompactResNet8>(), 297_450);
    assert_eq!(counts_agree::<CompactResNet14>(), compact_params(1, 2, 10));
    // 28 → 28 (stem) → 14 (pool) → 7 (floor of 7.5) → 4.
    let summary = CompactResNet8::summary();
    assert_eq!(
        stage_output(&summary, "maxpool", Some("layer1"))[..2],
        [14, 14]
    );
    assert_eq!(
        stage_output(&summary, "layer2", Some("layer3"))[..2],
        [7, 7]
    );
    assert_eq!(stage_output(&summary, "layer3", None)[..2], [4, 4]);
    runs::<CompactResNet8>();
    runs::<ResNet8>();
}

#[test]
fn alexnet_paper_variants_have_the_counted_parameters() {
    assert_eq!(counts_agree::<AlexNetPaper>(), 62_378_344);
    // Two groups halve the weights of conv2, conv4 and conv5 (biases stay).
    let halved = (5 * 5 * 96 * 256 + 3 * 3 * 384 * 384 + 3 * 3 * 384 * 256) / 2;
    assert_eq!(counts_agree::<AlexNetPaperGrouped>(), 62_378_344 - halved);
}

kiln::models::resnet18!(struct ResNet18Mnist, input: [28, 28, 1], classes: 10);
kiln::models::resnet18!(struct ResNet18Cifar, input: [32, 32, 3], classes: 10);
kiln::models::resnet50!(struct ResNet50Cifar, input: [32, 32, 3], classes: 10);
kiln::models::googlenet!(struct GoogLeNetMnist, input: [28, 28, 1], classes: 10);
kiln::models::googlenet!(struct GoogLeNetCifar, input: [32, 32, 3], classes: 10);
kiln::models::cifar_resnet!(struct ResNet20Mnist, input: [28, 28, 1], classes: 10, n: 3, shortcut: A);

/// Runs `M` on a random batch of two and checks the output's shape.
fn runs<M: Model>() {
    let device = Device::flex();
    let [w, h, d] = M::INPUT;
    let x = kiln::burn::tensor::Tensor::<4>::random(
        [2, d, h, w],
        kiln::burn::tensor::Distribution::Normal(0.0, 1.0),
        &device,
    );
    let y = M::init(&device)
        .forward_tensor(x)
        .expect("the input has the model's shape");
    assert_eq!(y.dims(), [2, 10, 1, 1], "{}", M::summary().model);
}

#[test]
fn resnets_and_googlenet_take_small_inputs() {
    runs::<ResNet18Mnist>();
    runs::<ResNet18Cifar>();
    runs::<ResNet50Cifar>();
    runs::<GoogLeNetMnist>();
    runs::<GoogLeNetCifar>();
    runs::<ResNet20Mnist>();
    // torchvision's shapes for a 28×28 input: the stem floors to 14, the ceil-mode pools give
    // 7, 3 and 1, and the last 2×2 pool keeps one window over the single remaining pixel.
    let summary = GoogLeNetMnist::summary();
    for (stage, side) in [
        ("conv1", 14),
        ("maxpool1", 7),
        ("maxpool2", 3),
        ("maxpool3", 1),
        ("maxpool4", 1),
    ] {
        assert_eq!(stage_output(&summary, stage, None)[0], side, "{stage}");
    }
    // ResNet-20 on 28×28: the stride-2 stages floor 14.5 to 14 and 7.5 to 7.
    let summary = ResNet20Mnist::summary();
    assert_eq!(
        stage_output(&summary, "layer2", Some("layer3"))[..2],
        [14, 14]
    );
    assert_eq!(stage_output(&summary, "layer3", None)[..2], [7, 7]);
}

#[test]
fn googlenet_aux_heads_run_only_when_asked() {
    let device = Device::flex();
    let model = GoogLeNetCifar::init(&device);
    let x = kiln::Act::<32, 32, 3>::random(2, &device);
    let (main, aux) = model.forward_aux(x.clone());
    assert_eq!(main.tensor().dims(), [2, 10, 1, 1]);
    assert_eq!(aux.aux1.tensor().dims(), [2, 10, 1, 1]);
    assert_eq!(aux.aux2.tensor().dims(), [2, 10, 1, 1]);
    // Without the heads the main path is the same computation.
    let plain = model.forward(x);
    let diff = (plain.into_tensor() - main.into_tensor())
        .abs()
        .max()
        .into_scalar::<f32>();
    assert_eq!(diff, 0.0);
}

/// The layers with parameters of `summary`, by name.
fn with_params(summary: &Summary) -> Vec<String> {
    summary
        .rows
        .iter()
        .filter(|r| r.params > 0)
        .map(|r| r.name.clone())
        .collect()
}

/// The VGG templates are rows of torchvision's configuration table, numbered by position:
/// their parameter layers sit at torchvision's `features.N` and `classifier.N` indices (so
/// its state dicts load by name), e.g. VGG-16's convolutions at 0, 2, 5, 7, 10, …, 28.
#[test]
fn vgg_layers_sit_at_torchvision_indices() {
    let named = |prefix: &str, indices: &[usize]| -> Vec<String> {
        indices.iter().map(|i| format!("{prefix}_{i}")).collect()
    };
    let classifier = named("classifier", &[0, 3, 6]);
    let vgg16 = named(
        "features",
        &[0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28],
    );
    assert_eq!(
        with_params(&Vgg16::summary()),
        [vgg16, classifier.clone()].concat()
    );
    // With batch norm every convolution is followed by its norm: conv N, norm N + 1, ReLU.
    let convs = [0, 4, 8, 11, 15, 18, 22, 25];
    let vgg11_bn: Vec<usize> = convs.iter().flat_map(|&c| [c, c + 1]).collect();
    assert_eq!(
        with_params(&Vgg11Bn::summary()),
        [named("features", &vgg11_bn), classifier].concat()
    );
}

/// The ResNet templates are stage tables: ResNet-50's parameter layers carry torchvision's
/// names, block by block (`layer2.0.downsample` is kiln's `layer2_0.shortcut`), and the plain
/// net's are its layers in order, `layer2_conv1_0` first in stage 2.
#[test]
fn stage_tables_name_every_block_as_torchvision_does() {
    let mut expected = vec!["conv1".to_string(), "bn1".to_string()];
    for (stage, blocks) in [(1, 3), (2, 4), (3, 6), (4, 3)] {
        for block in 0..blocks {
            let at = format!("layer{stage}_{block}");
            for layer in ["conv1", "bn1", "conv2", "bn2", "conv3", "bn3"] {
                expected.push(format!("{at}.{layer}"));
            }
            if block == 0 {
                expected.push(format!("{at}.shortcut.conv"));
                expected.push(format!("{at}.shortcut.bn"));
            }
        }
    }
    expected.push("fc".to_string());
    assert_eq!(with_params(&ResNet50::summary()), expected);

    let mut plain = vec!["conv1".to_string(), "bn1".to_string()];
    for stage in 1..=3 {
        for block in 0..3 {
            for layer in ["conv1", "bn1", "conv2", "bn2"] {
                plain.push(format!("layer{stage}_{layer}_{block}"));
            }
        }
    }
    plain.push("fc".to_string());
    assert_eq!(with_params(&Plain20::summary()), plain);
}

//! torchvision weights in kiln's ResNet-18: the logits and intermediate activations of
//! `../shared/fixtures` (made with PyTorch), and clear errors for files that do not fit.

mod common;

use common::max_abs_diff;
use kiln::Act;
use kiln::burn::module::Module;
use kiln::burn::tensor::{Device, Tensor, TensorData};
use kiln::models::weights::{WeightError, load_torchvision};
use kiln::models::{ResNet18, ResNet34};

const FIXTURES: &str = "../shared/fixtures";
const WEIGHTS: &str = "../shared/fixtures/resnet18-torchvision-seed0.pth";

/// A float32 `.npy` file of the fixtures as a tensor.
fn npy(name: &str, device: &Device) -> Tensor<4> {
    let path = std::path::Path::new(FIXTURES).join(name);
    let (mut shape, values) = common::read_npy(&path).unwrap_or_else(|e| panic!("{e}"));
    shape.resize(4, 1);
    let shape: [usize; 4] = shape.try_into().unwrap();
    Tensor::from_data(TensorData::new(values, shape), device)
}

#[test]
fn resnet18_with_torchvision_weights_reproduces_pytorch() {
    let device = Device::flex();
    let model = load_torchvision(&ResNet18::init(&device), WEIGHTS).expect("the weights fit");
    let input = Act::try_from_tensor(npy("resnet18-input-2x3x224x224.npy", &device))
        .expect("a 224×224×3 batch");
    let mut taps: Vec<(String, Tensor<4>)> = Vec::new();
    let logits = model
        .forward_tapped(input, &mut |name, x| {
            taps.push((name.to_string(), x.clone()))
        })
        .into_tensor();
    let before = |name: &str| {
        let at = taps.iter().position(|(n, _)| n == name).unwrap();
        taps[at - 1].1.clone()
    };
    let checks = [
        (
            "after the stem",
            before("layer1_0"),
            "resnet18-after_stem-2x64x56x56.npy",
        ),
        (
            "after layer1",
            before("layer2_0"),
            "resnet18-after_layer1-2x64x56x56.npy",
        ),
        (
            "after layer4",
            before("avgpool"),
            "resnet18-after_layer4-2x512x7x7.npy",
        ),
        ("logits", logits, "resnet18-logits-2x1000.npy"),
    ];
    for (what, ours, file) in checks {
        let expected = npy(file, &device);
        assert_eq!(ours.dims(), expected.dims(), "{what}");
        let diff = max_abs_diff(ours, expected);
        println!("{what}: max abs difference {diff:e}");
        assert!(diff <= 1e-4, "{what}: max abs difference {diff}");
    }
}

#[test]
fn a_wrong_class_count_names_the_key_and_both_shapes() {
    kiln::models::resnet18!(struct TenClasses, input: [224, 224, 3], classes: 10);
    let device = Device::flex();
    let model = TenClasses::init(&device);
    let before = model.conv1.inner.weight.val().into_data();
    let err = load_torchvision(&model, WEIGHTS).unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err, WeightError::Mismatch { ref problems, .. } if problems.len() == 2),
        "{text}"
    );
    assert!(
        text.contains("`fc.weight` (kiln `fc.inner.weight`)"),
        "{text}"
    );
    assert!(
        text.contains("[512, 10]") && text.contains("[512, 1000]"),
        "{text}"
    );
    assert!(
        text.contains("`fc.bias`") && text.contains("[10]") && text.contains("[1000]"),
        "{text}"
    );
    // Nothing was loaded into the model passed in.
    let after = model.conv1.inner.weight.val().into_data();
    assert_eq!(before, after);
}

#[test]
fn a_wrong_model_lists_its_missing_tensors() {
    let err = load_torchvision(&ResNet34::init(&Device::flex()), WEIGHTS).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("resnet18-torchvision-seed0.pth does not fit the model"),
        "{text}"
    );
    assert!(
        text.contains("kiln `layer1_2.conv1.inner.weight` has no tensor in the file"),
        "{text}"
    );
}

#[test]
fn a_truncated_or_missing_file_is_a_read_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let truncated = dir.path().join("truncated.pth");
    let bytes = std::fs::read(WEIGHTS).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let model = ResNet18::init(&Device::flex());
    let err = load_torchvision(&model, &truncated).unwrap_err();
    assert!(matches!(err, WeightError::Read { .. }), "{err}");
    assert!(err.to_string().contains("truncated.pth"), "{err}");
    let err = load_torchvision(&model, dir.path().join("absent.pth")).unwrap_err();
    assert!(
        err.to_string()
            .contains("absent.pth as PyTorch weights: no such file"),
        "{err}"
    );
}

#[test]
fn kiln_checkpoints_round_trip_exactly() {
    let device = Device::flex();
    let model = load_torchvision(&ResNet18::init(&device), WEIGHTS).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("resnet18.bpk");
    model.clone().save_file(&path).expect("save");
    let loaded = ResNet18::init(&device).load_file(&path);
    let input = npy("resnet18-input-2x3x224x224.npy", &device);
    let run = |m: &ResNet18| {
        m.forward(Act::try_from_tensor(input.clone()).unwrap())
            .into_tensor()
    };
    assert_eq!(max_abs_diff(run(&model), run(&loaded)), 0.0);
}

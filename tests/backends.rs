//! The same model, saved once, gives the same outputs on flex, ndarray and (where a Vulkan
//! adapter exists) wgpu.

mod common;

use common::max_abs_diff;
use kiln::burn::module::Module;
use kiln::burn::tensor::{Device, DeviceKind, Distribution, Tensor, TensorData};

kiln::model! {
    /// A small model touching every layer kind that has parameters or state.
    pub struct Small {
        input: [12, 12, 3],
        conv1: conv(8, 3, pad = 1),
        bn1: batch_norm,
        relu,
        pool1: max_pool(2),
        conv2: conv(8, 3, stride = 2, pad = 1, round = floor),
        pool2: avg_pool(3),
        flatten,
        fc: linear(4),
    }
}

/// Runs the model saved at `path` on `device` (inference mode) over `input`.
fn outputs(path: &std::path::Path, device: &Device, input: &TensorData) -> Tensor<2> {
    let model = Small::init(device).load_file(path);
    let x = Tensor::<4>::from_data(input.clone(), device);
    let y = model
        .forward(kiln::Act::try_from_tensor(x).expect("shape"))
        .into_matrix();
    Tensor::from_data(y.into_data(), &Device::flex())
}

fn saved_model_and_input() -> (tempfile::TempDir, std::path::PathBuf, TensorData) {
    let device = Device::flex();
    device.seed(11);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("small.bpk");
    Small::init(&device).save_file(&path).expect("save");
    let input =
        Tensor::<4>::random([2, 3, 12, 12], Distribution::Normal(0.0, 1.0), &device).into_data();
    (dir, path, input)
}

#[test]
#[allow(deprecated)]
fn flex_and_ndarray_agree() {
    let (_dir, path, input) = saved_model_and_input();
    let flex = outputs(&path, &Device::flex(), &input);
    let ndarray = outputs(&path, &Device::ndarray(), &input);
    let diff = max_abs_diff(flex, ndarray);
    assert!(diff <= 1e-4, "flex vs ndarray: max abs difference {diff}");
}

#[test]
fn save_and_load_round_trip_exactly() {
    let (_dir, path, input) = saved_model_and_input();
    let device = Device::flex();
    let a = outputs(&path, &device, &input);
    let b = outputs(&path, &device, &input);
    assert_eq!(max_abs_diff(a, b), 0.0);
    let loaded = Small::init(&device).load_file(&path);
    assert_eq!(Small::BUFFERS, 2 * 8);
    assert_eq!(loaded.num_params(), Small::PARAMS + Small::BUFFERS);
}

/// Where Mesa's lavapipe (or another Vulkan driver) is installed, wgpu must run and agree.
#[test]
fn wgpu_agrees_where_a_vulkan_adapter_exists() {
    let icd_dirs = ["/usr/share/vulkan/icd.d", "/etc/vulkan/icd.d"];
    let has_driver = icd_dirs
        .iter()
        .filter_map(|d| std::fs::read_dir(d).ok())
        .any(|mut entries| entries.next().is_some());
    if !has_driver {
        eprintln!(
            "no Vulkan driver installed (apt-get install mesa-vulkan-drivers): wgpu not compared"
        );
        return;
    }
    let (_dir, path, input) = saved_model_and_input();
    let flex = outputs(&path, &Device::flex(), &input);
    let wgpu = outputs(&path, &Device::wgpu(DeviceKind::Cpu), &input);
    let diff = max_abs_diff(flex, wgpu);
    assert!(diff <= 1e-4, "flex vs wgpu: max abs difference {diff}");
}

//! Helpers shared by the integration tests.
#![allow(dead_code)] // each test binary uses its own part of these helpers

use kiln::Layer;
use kiln::burn::module::Module;
use kiln::burn::tensor::{Device, Tensor};

/// A user-defined layer: removes `C` pixels from every border.
#[derive(Module, Debug)]
pub struct Crop<const C: usize>;

impl<const C: usize, const W: usize, const H: usize, const D: usize> Layer<W, H, D> for Crop<C> {
    const OUT: [usize; 3] = {
        assert!(
            W > 2 * C && H > 2 * C,
            "crop: the input is not larger than twice the crop"
        );
        [W - 2 * C, H - 2 * C, D]
    };
    const PARAMS: usize = 0;
    const FLOPS: usize = 0;

    fn init(_device: &Device) -> Self {
        Crop
    }

    fn forward_tensor(&self, input: Tensor<4>) -> Tensor<4> {
        let batch = input.dims()[0];
        input.slice([0..batch, 0..D, C..H - C, C..W - C])
    }

    fn describe() -> String {
        format!("crop {C}")
    }
}

/// Largest absolute difference between two tensors of the same shape.
pub fn max_abs_diff<const D: usize>(a: Tensor<D>, b: Tensor<D>) -> f32 {
    let a = a.into_data().try_to_vec::<f32>().expect("f32 data");
    let b = b.into_data().try_to_vec::<f32>().expect("f32 data");
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(&b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

/// A float32 little-endian `.npy` file (format 1.0) of `values` in `shape`.
pub fn npy_bytes(shape: &[usize], values: &[f32]) -> Vec<u8> {
    let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    let comma = if shape.len() == 1 { "," } else { "" };
    let mut header = format!(
        "{{'descr': '<f4', 'fortran_order': False, 'shape': ({}{comma}), }}",
        dims.join(", ")
    );
    // The magic, version and length take 10 bytes; the header ends in a newline at a multiple
    // of 64.
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend((header.len() as u16).to_le_bytes());
    bytes.extend(header.as_bytes());
    for v in values {
        bytes.extend(v.to_le_bytes());
    }
    bytes
}

/// The shape and values of a float32 `.npy` file (the fixtures' format), or an error naming
/// the file; the declared shape is checked against the file's length before anything is read.
pub fn read_npy(path: &std::path::Path) -> Result<(Vec<usize>, Vec<f32>), String> {
    let fail = |what: String| format!("{}: {what}", path.display());
    let bytes = std::fs::read(path).map_err(|e| fail(e.to_string()))?;
    // The preamble: magic, version, and the header's length (16 bits in version 1, 32 after),
    // checked against the file before npyz allocates the header.
    let declared = match bytes.get(..12) {
        Some([0x93, b'N', b'U', b'M', b'P', b'Y', 1, _, a, b, ..]) => {
            10 + u16::from_le_bytes([*a, *b]) as usize
        }
        Some([0x93, b'N', b'U', b'M', b'P', b'Y', 2 | 3, _, a, b, c, d]) => {
            12 + u32::from_le_bytes([*a, *b, *c, *d]) as usize
        }
        _ => return Err(fail("not an .npy file (no NUMPY magic and version)".into())),
    };
    if declared > bytes.len() {
        return Err(fail(format!(
            "its header declares {declared} bytes, the file has {}",
            bytes.len()
        )));
    }
    let file =
        npyz::NpyFile::new(&bytes[..]).map_err(|e| fail(format!("not an .npy file: {e}")))?;
    let shape: Vec<usize> = file.shape().iter().map(|&d| d as usize).collect();
    let count = shape
        .iter()
        .try_fold(1usize, |n, &d| n.checked_mul(d))
        .filter(|n| n.checked_mul(4).is_some_and(|b| b <= bytes.len()))
        .ok_or_else(|| {
            fail(format!(
                "shape {shape:?} needs more bytes than the file has"
            ))
        })?;
    let values: Vec<f32> = file
        .into_vec()
        .map_err(|e| fail(format!("not float32 data: {e}")))?;
    if values.len() != count {
        return Err(fail(format!("{} values for shape {shape:?}", values.len())));
    }
    Ok((shape, values))
}

/// The lecture's SGD without augmentation, one seed, for `epochs` on at most 64 images.
pub fn plain_config(out: &std::path::Path, epochs: usize) -> kiln::train::FitConfig {
    use kiln::data::Augment;
    use kiln::train::{FitConfig, Optimizer, Plateau, Schedule};
    FitConfig {
        epochs,
        batch_size: 32,
        lr: 0.05,
        optimizer: Optimizer::SGD,
        weight_decay: 5e-4,
        clip: None,
        warmup: 0,
        label_smoothing: None,
        schedule: Schedule::Plateau(Plateau::new(0)),
        early_stop: None,
        val_fraction: 0.1,
        seed: 1,
        augment: Augment::NONE,
        limit: Some(64),
        out: out.to_path_buf(),
        resume: false,
        allow_changes: false,
    }
}

/// A short training run of the Fashion CNN in `out` (64 images, one epoch): the seeds of tests
/// that need a run's real files.
pub fn short_run(out: &std::path::Path) {
    use kiln::data::{Dataset, fashion_mnist_dir};
    use kiln::models::FashionCnn;
    let data = Dataset::mnist(&fashion_mnist_dir()).expect("the vendored data");
    let device = Device::flex().autodiff();
    let go_on = &mut |_: &kiln::train::Progress| std::ops::ControlFlow::Continue(());
    kiln::train::fit::<FashionCnn>(&plain_config(out, 1), &data.train, &device, go_on)
        .expect("a short run");
}

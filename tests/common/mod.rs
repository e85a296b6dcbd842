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

use kiln::Layer;
use kiln::burn::module::Module;
use kiln::burn::tensor::{Device, Tensor};

/// Removes `C` pixels from every border.
#[derive(Module, Debug)]
pub struct Crop<const C: usize>;

impl<const C: usize, const W: usize, const H: usize, const D: usize> Layer<W, H, D> for Crop<C> {
    const OUT: [usize; 3] = {
        assert!(W > 2 * C && H > 2 * C, "crop: the input is not larger than twice the crop");
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
}

kiln::model! {
    pub struct Net {
        input: [8, 8, 3],
        conv1: conv(4, 3, pad = 1),
        crop: layer(Crop<4>),
    }
}

fn main() {}

use kiln::Act;
use kiln::burn::tensor::Device;
use kiln::layers::Conv2d;

fn forward(conv: &Conv2d<3, 8, 3, 1, 1>, x: Act<28, 28, 1>) -> Act<28, 28, 8> {
    x.apply(conv)
}

fn main() {
    let _ = forward;
    let _ = Device::flex();
}

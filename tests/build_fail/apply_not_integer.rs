use kiln::Act;
use kiln::burn::tensor::Device;
use kiln::layers::Conv2d;
use kiln::Layer;

/// (10 − 3 + 2·0)/2 + 1 = 4.5: no output type is right.
fn forward(conv: &Conv2d<3, 8, 3, 2, 0>, x: Act<10, 10, 3>) -> Act<4, 4, 8> {
    x.apply(conv)
}

fn main() {
    let device = Device::flex();
    let conv = <Conv2d<3, 8, 3, 2, 0> as Layer<10, 10, 3>>::init(&device);
    let _ = forward(&conv, Act::random(1, &device));
}

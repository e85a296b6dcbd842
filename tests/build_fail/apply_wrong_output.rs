use kiln::Act;
use kiln::burn::tensor::Device;
use kiln::layers::Conv2d;
use kiln::Layer;

/// The annotated output says 26×26×8, but F = 3 with P = 1 keeps 28×28.
fn forward(conv: &Conv2d<3, 8, 3, 1, 1>, x: Act<28, 28, 3>) -> Act<26, 26, 8> {
    x.apply(conv)
}

fn main() {
    let device = Device::flex();
    let conv = <Conv2d<3, 8, 3, 1, 1> as Layer<28, 28, 3>>::init(&device);
    let _ = forward(&conv, Act::random(1, &device));
}

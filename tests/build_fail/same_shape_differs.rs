use kiln::Act;
use kiln::burn::tensor::Device;

/// A 14×14×16 activation is not 28×28×16.
fn retype(a: Act<14, 14, 16>) -> Act<28, 28, 16> {
    a.same_shape()
}

fn main() {
    let device = Device::flex();
    let _ = retype(Act::random(1, &device));
}

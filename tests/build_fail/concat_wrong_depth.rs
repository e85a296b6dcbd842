use kiln::Act;
use kiln::burn::tensor::Device;

/// 64 + 32 is 96, not 128.
fn join(a: Act<28, 28, 64>, b: Act<28, 28, 32>) -> Act<28, 28, 128> {
    a.concat(b)
}

fn main() {
    let device = Device::flex();
    let _ = join(Act::random(1, &device), Act::random(1, &device));
}

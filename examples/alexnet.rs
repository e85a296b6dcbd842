//! The lecture's AlexNet: prints its summary (every shape and count computed at compile time),
//! then runs one forward pass on a random batch.

use kiln::Act;
use kiln::burn::tensor::Device;
use kiln::models::AlexNetPaper;

fn main() {
    println!("{}", AlexNetPaper::summary());
    let device = Device::flex();
    device.seed(0);
    let model = AlexNetPaper::init(&device);
    let batch = Act::<227, 227, 3>::random(2, &device);
    let started = std::time::Instant::now();
    let logits = model.forward(batch).into_matrix();
    println!(
        "\nforward pass: input [2, 3, 227, 227] → logits {:?} in {:.2?}",
        logits.dims(),
        started.elapsed()
    );
}

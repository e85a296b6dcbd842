// AlexNet's 11×11 stride-4 stem leaves 6×6 of a 28×28 image; two 3×3 stride-2 pools later
// nothing fits.
kiln::models::alexnet!(pub struct AlexNetMnist, input: [28, 28, 1], classes: 10);

fn main() {}

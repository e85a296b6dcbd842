// VGG's five 2×2 pools halve 28×28 to 14, 7, 3 and 1; the fifth has nothing left to pool.
kiln::models::vgg16!(pub struct Vgg16Mnist, input: [28, 28, 1], classes: 10);

fn main() {}

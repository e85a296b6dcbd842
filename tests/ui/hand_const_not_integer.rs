use kiln::Layer;
use kiln::layers::Conv2d;

/// The output shape of a hand-written layer, evaluated where no generic is in scope.
const CONV2: [usize; 3] = <Conv2d<3, 8, 3, 2, 0> as Layer<10, 10, 3>>::OUT;

fn main() {
    println!("{CONV2:?}");
}

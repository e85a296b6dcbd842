use kiln::Act;
use kiln::layers::Conv2d;

fn block(conv: &Conv2d<16, 32, 3, 2, 1>, x: Act<28, 28, 16>) -> Act<14, 14, 32> {
    let y: Act<14, 14, 32> = x.clone().apply(conv);
    y + x
}

fn main() {
    let _ = block;
}

// Every bad layer of a model is reported in one `cargo check`, not only the first.
kiln::model! {
    pub struct Net {
        input: [28, 28, 1],
        conv1: conv(8, 3, stride = 2),
        relu,
        drop: dropout(1.5),
        flatten,
        fc: linear(0),
    }
}

fn main() {}

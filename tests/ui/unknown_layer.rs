kiln::model! {
    pub struct Net {
        input: [10, 10, 3],
        conv1: convolution(4, 3),
    }
}

fn main() {}

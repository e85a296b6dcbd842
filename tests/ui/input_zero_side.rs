kiln::model! {
    pub struct Net {
        input: [0, 28, 1],
        conv1: conv(8, 1),
    }
}

fn main() {}

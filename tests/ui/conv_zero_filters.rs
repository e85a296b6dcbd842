kiln::model! {
    pub struct Net {
        input: [10, 10, 3],
        conv1: conv(0, 3, pad = 1),
    }
}

fn main() {}

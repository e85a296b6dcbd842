kiln::model! {
    pub struct Net {
        input: [10, 10, 3],
        conv1: conv(8, 3, pad = 1, groups = 2),
    }
}

fn main() {}

kiln::model! {
    pub struct Net {
        input: [10, 10, 3],
        conv1: conv(4),
    }
}

fn main() {}

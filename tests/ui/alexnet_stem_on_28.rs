kiln::model! {
    pub struct Net {
        input: [28, 28, 1],
        conv1: conv(96, 11, stride = 4),
        relu,
        pool1: max_pool(3, stride = 2),
    }
}

fn main() {}

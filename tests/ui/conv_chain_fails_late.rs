kiln::model! {
    pub struct Net {
        input: [20, 20, 3],
        conv1: conv(8, 3, pad = 1),
        relu,
        conv2: conv(16, 3, pad = 1),
        pool1: max_pool(2),
        conv3: conv(16, 3, stride = 2),
    }
}

fn main() {}

kiln::model! {
    pub struct Net {
        input: [16, 16, 3],
        stem: conv(16, 3, pad = 1),
        block: residual {
            conv1: conv(32, 4, stride = 2, pad = 1),
            relu,
            conv2: conv(32, 3, pad = 1),
        },
    }
}

fn main() {}

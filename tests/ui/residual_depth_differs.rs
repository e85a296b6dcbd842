kiln::model! {
    pub struct Net {
        input: [16, 16, 3],
        block: residual {
            conv1: conv(8, 3, pad = 1),
        },
    }
}

fn main() {}

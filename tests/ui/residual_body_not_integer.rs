kiln::model! {
    pub struct Net {
        input: [16, 16, 3],
        block: residual {
            conv1: conv(3, 3, stride = 2),
        },
    }
}

fn main() {}

const DEPTH: usize = 8;

kiln::model! {
    pub struct Net {
        input: [16, 16, 3],
        block: residual {
            conv1: conv(DEPTH, 3, pad = 1),
        },
    }
}

fn main() {}

kiln::model! {
    pub struct Net {
        input: [16, 16, 3],
        block: residual {
            conv1: conv(8, 3, stride = 2, pad = 1),
        } shortcut {
            proj: conv(8, 1),
        },
    }
}

fn main() {}

const SIDE: usize = 10;

kiln::model! {
    pub struct Net {
        input: [SIDE, SIDE, 3],
        conv1: conv(8, 3, stride = 2),
    }
}

fn main() {}

const FILTER: usize = 3;

kiln::model! {
    pub struct Net {
        input: [10, 10, 3],
        conv1: conv(8, FILTER, stride = 2),
    }
}

fn main() {}

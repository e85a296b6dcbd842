kiln::model! {
    pub struct Net {
        input: [11, 10, 3],
        conv1: conv(8, 3, stride = 2),
    }
}

fn main() {}

kiln::model! {
    pub struct Net {
        input: [11, 11, 1],
        conv1: conv(4, 3, stride = 3),
    }
}

fn main() {}

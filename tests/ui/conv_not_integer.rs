kiln::model! {
    pub struct Net {
        input: [12, 12, 3],
        conv1: conv(8, 3),
        conv2: conv(8, 3, stride = 2),
    }
}

fn main() {}

kiln::model! {
    pub struct Net {
        input: [10, 10, 3],
        conv2: conv(8, 3, stride = 2),
    }
}

fn main() {}

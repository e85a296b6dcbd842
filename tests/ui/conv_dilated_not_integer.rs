kiln::model! {
    pub struct Net {
        input: [10, 10, 3],
        conv1: conv(8, 3, dilation = 2, stride = 3),
    }
}

fn main() {}

kiln::model! {
    pub struct Net {
        input: [10, 10, 3],
        conv1: conv(8, 3, dilation = 5),
    }
}

fn main() {}

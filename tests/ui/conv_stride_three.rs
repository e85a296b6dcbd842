kiln::model! {
    pub struct Net {
        input: [12, 12, 1],
        conv1: conv(4, 3, stride = 3),
    }
}

fn main() {}

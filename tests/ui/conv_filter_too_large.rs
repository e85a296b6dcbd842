kiln::model! {
    pub struct Net {
        input: [10, 10, 3],
        conv1: conv(8, 11),
    }
}

fn main() {}

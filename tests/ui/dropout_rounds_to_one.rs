kiln::model! {
    pub struct Net {
        input: [10, 10, 3],
        conv1: conv(4, 3, pad = 1),
        drop: dropout(0.99996),
    }
}

fn main() {}

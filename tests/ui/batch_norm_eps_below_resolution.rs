kiln::model! {
    pub struct Net {
        input: [10, 10, 3],
        conv1: conv(4, 3, pad = 1),
        bn1: batch_norm(eps = 1e-10),
    }
}

fn main() {}

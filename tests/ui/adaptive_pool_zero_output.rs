kiln::model! {
    pub struct Net {
        input: [10, 10, 3],
        conv1: conv(4, 3, pad = 1),
        pool: adaptive_avg_pool(0),
    }
}

fn main() {}

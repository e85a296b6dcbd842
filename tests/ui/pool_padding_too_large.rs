kiln::model! {
    pub struct Net {
        input: [10, 10, 3],
        pool: max_pool(3, stride = 1, pad = 2),
    }
}

fn main() {}

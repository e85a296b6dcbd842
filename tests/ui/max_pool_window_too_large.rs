kiln::model! {
    pub struct Net {
        input: [3, 3, 3],
        pool: max_pool(4),
    }
}

fn main() {}

kiln::model! {
    pub struct Net {
        input: [8, 9, 3],
        pool: avg_pool(2),
    }
}

fn main() {}

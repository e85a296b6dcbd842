kiln::model! {
    pub struct Net {
        input: [8, 8, 3],
        pool: avg_pool(3, stride = 2),
    }
}

fn main() {}

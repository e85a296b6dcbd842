kiln::model! {
    pub struct Net {
        input: [7, 7, 3],
        pool: max_pool(2),
    }
}

fn main() {}

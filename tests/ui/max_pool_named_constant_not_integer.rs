const WINDOW: usize = 3;

kiln::model! {
    pub struct Net {
        input: [10, 10, 3],
        pool: max_pool(WINDOW),
    }
}

fn main() {}

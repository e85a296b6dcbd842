kiln::model! {
    pub struct Net {
        input: [10, 10, 3],
        pool: max_pool(2, stride = 0),
    }
}

fn main() {}

// After a rejected layer the next ones are checked on a guess (its output rounded down), and
// an error found on that guess says so.
kiln::model! {
    pub struct Net {
        input: [10, 10, 3],
        conv1: conv(8, 3, stride = 2),
        pool: max_pool(3, stride = 2),
    }
}

fn main() {}

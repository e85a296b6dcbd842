kiln::model! {
    pub struct Net {
        input: [10, 10, 3],
        flat: flatten,
        fc: linear(0),
    }
}

fn main() {}

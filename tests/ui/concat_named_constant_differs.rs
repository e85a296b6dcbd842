const F: usize = 3;

kiln::model! {
    pub struct Net {
        input: [16, 16, 3],
        inception: concat {
            a { conv(8, 1) },
            b { conv(8, F) },
        },
    }
}

fn main() {}

kiln::model! {
    pub struct Net {
        input: [16, 12, 3],
        inception: concat {
            a { conv(8, 1) },
            b { conv(8, 3, pad = 1) },
            c { pool: max_pool(2) },
        },
    }
}

fn main() {}

kiln::model! {
    pub struct Net {
        input: [15, 15, 3],
        inception: concat {
            a { conv(8, 1) },
            b { conv(8, 2, stride = 2) },
        },
    }
}

fn main() {}

kiln::model! {
    pub struct Net {
        input: [28, 28, 1],
        c1: conv(64, 3, pad = 1), relu, p1: max_pool(2),
        c2: conv(128, 3, pad = 1), relu, p2: max_pool(2),
        c3: conv(256, 3, pad = 1), relu, p3: max_pool(2),
        c4: conv(512, 3, pad = 1), relu, p4: max_pool(2),
        c5: conv(512, 3, pad = 1), relu, p5: max_pool(2),
    }
}

fn main() {}

kiln::model! {
    pub struct Net {
        input: [32, 32, 3],
        conv: conv(64, 3, pad = 1),
        relu,
    }
}

// Each example keeps 2 · 32·32·64 values for training: 64 MiB at batch 128, over budget.
const _: () = assert!(
    Net::training_bytes(128) < 32 << 20,
    "training Net at batch 128 needs more than 32 MiB"
);

fn main() {}

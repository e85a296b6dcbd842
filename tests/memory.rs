//! The memory constants of a model (activations kept for training, the inference peak, bytes
//! at a batch size) against hand computation, as compile-time constants, in the trait and in
//! the summary.

use kiln::Model;
use kiln::models::ResNet20;

kiln::model! {
    /// A stem, a residual block and a classifier on 8×8×1, small enough to count by hand.
    pub struct Small {
        input: [8, 8, 1],
        conv: conv(4, 3, pad = 1),
        relu,
        block: residual {
            conv1: conv(4, 3, pad = 1),
            bn: batch_norm,
        },
        pool: max_pool(2, stride = 2),
        flatten,
        fc: linear(10),
    }
}

// A budget checked by `cargo check`: 27,672 bytes at batch 2 (computed below).
const _: () = assert!(Small::training_bytes(2) <= 27_672);

#[test]
fn activation_counts_follow_the_layers_by_hand() {
    // Outputs per example: conv, relu, block conv1, bn and the residual sum 8·8·4 = 256
    // each; the pool and flatten 4·4·4 = 64 each; fc 10.
    assert_eq!(Small::ACTIVATIONS, 5 * 256 + 2 * 64 + 10);
    // Inside the block its input stays alive for the shortcut: conv1's input, output and
    // the block's input, 3 · 256.
    assert_eq!(Small::PEAK_ACTIVATIONS, 3 * 256);
    // conv 4·(9 + 1), conv1 4·(36 + 1), bn 2·4, fc 64·10 + 10; bn's running mean and variance.
    assert_eq!((Small::PARAMS, Small::BUFFERS), (40 + 148 + 8 + 650, 8));
    assert_eq!(Small::PARAM_BYTES, (846 + 8) * 4);
    // Inference at batch 2: parameters and buffers, and 2 · 768 peak values.
    assert_eq!(Small::inference_bytes(2), (854 + 2 * 768) * 4);
    // Training: weights, gradients and momentum, the buffers, and per example the kept
    // activations and the peak's gradients.
    assert_eq!(
        Small::training_bytes(2),
        (3 * 846 + 8 + 2 * (1418 + 768)) * 4
    );
    assert_eq!(Small::training_bytes(2), 27_672);
}

#[test]
fn the_trait_and_the_summary_agree_with_the_constants() {
    for batch in [1, 128] {
        assert_eq!(
            <Small as Model>::training_bytes(batch),
            Small::training_bytes(batch)
        );
        assert_eq!(
            <ResNet20 as Model>::inference_bytes(batch),
            ResNet20::inference_bytes(batch)
        );
        let summary = ResNet20::summary();
        assert_eq!(
            summary.training_bytes(batch),
            ResNet20::training_bytes(batch)
        );
        assert_eq!(
            summary.inference_bytes(batch),
            ResNet20::inference_bytes(batch)
        );
    }
    let text = Small::summary().to_string();
    assert!(
        text.contains("total params: 846 trainable, 8 non-trainable (batch-norm statistics)"),
        "{text}"
    );
    assert!(
        text.contains("activations per example: 1,418 values kept for training"),
        "{text}"
    );
    assert_eq!(
        Small::summary().batch_memory(2),
        format!(
            "batch 2: inference {:.2} MiB, training {:.2} MiB (SGD with momentum)",
            9560.0 / 1048576.0,
            27672.0 / 1048576.0
        )
    );
}

#[test]
fn resnet20_keeps_every_row_s_output_for_training() {
    // Without auxiliary branches, what training keeps is each summary row's output: every
    // layer's and each residual sum's.
    let summary = ResNet20::summary();
    let rows: usize = summary
        .rows
        .iter()
        .map(|r| r.output.iter().product::<usize>())
        .sum();
    assert_eq!(ResNet20::ACTIVATIONS, rows);
    assert_eq!(
        summary
            .rows
            .iter()
            .filter(|r| r.kind == "residual add")
            .count(),
        9
    );
    // The widest point of the CIFAR ResNet-20 (32×32×3): a 32×32×16 layer inside a block,
    // whose input is kept, 3 · 16,384.
    assert_eq!(ResNet20::INPUT, [32, 32, 3]);
    assert_eq!(ResNet20::PEAK_ACTIVATIONS, 3 * 32 * 32 * 16);
}

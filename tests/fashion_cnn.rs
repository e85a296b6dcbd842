//! The Fashion-MNIST classifier learns from the real data: its loss on held-out images falls.

use kiln::burn::module::Module;
use kiln::burn::optim::AdamConfig;
use kiln::burn::tensor::Device;
use kiln::data::{Dataset, Source, fashion_mnist_dir, shuffled_indices};
use kiln::models::FashionCnn;
use kiln::train::{evaluate, train_step};

#[test]
fn loss_goes_down_on_real_fashion_mnist() {
    let dir = fashion_mnist_dir();
    let data = Dataset::mnist(&dir).unwrap_or_else(|e| {
        panic!("Fashion-MNIST is needed (apt-get install dataset-fashion-mnist): {e}")
    });
    assert_eq!((data.train.len(), data.test.len()), (60_000, 10_000));
    let device = Device::flex().autodiff();
    device.seed(1);
    let stats = data.train.pixel_stats().unwrap();
    let held_out: Vec<usize> = (0..500).collect();
    let loss_on_held_out = |model: &FashionCnn| {
        let (images, labels) = data.test.batch(&held_out, stats, &device).unwrap();
        evaluate(&model.valid(), images, labels).expect("shapes match")
    };
    let mut model = FashionCnn::init(&device);
    let before = loss_on_held_out(&model);
    let mut optimizer = AdamConfig::new().init();
    let order = shuffled_indices(data.train.len(), 1);
    for batch in order.chunks(64).take(60) {
        let (images, labels) = data.train.batch(batch, stats, &device).unwrap();
        model = train_step(model, &mut optimizer, 1e-3, images, labels, None)
            .expect("finite loss")
            .0;
    }
    let after = loss_on_held_out(&model);
    assert!(
        after.loss < 0.6 * before.loss,
        "held-out loss {:.3} → {:.3} after 60 steps",
        before.loss,
        after.loss
    );
    assert!(
        after.correct * 100 > after.total * 60,
        "accuracy {}/{}",
        after.correct,
        after.total
    );
}

//! kiln's model zoo: architectures written with `kiln::model!`, every shape checked at compile
//! time.

mod alexnet;
mod fashion;

pub use alexnet::AlexNetPaper;
pub use fashion::FashionCnn;

//! Reading and writing the `f32` storage of the CPU backends' tensors.

#[cfg(feature = "flex")]
use burn::backend::Flex;
#[cfg(feature = "ndarray")]
use burn::backend::NdArray;
use burn::backend::{Backend, tensor::FloatTensor};
use burn::tensor::TensorData;
#[cfg(feature = "flex")]
use burn_flex::FlexTensor;
#[cfg(feature = "ndarray")]
use burn_ndarray::NdArrayTensor;

/// A CPU backend whose float tensors kiln's kernels can read as contiguous `f32` slices and
/// create from `Vec<f32>`.
pub trait CpuStorage: Backend {
    /// Calls `f` with the tensor's elements in row-major order: its own storage when it is
    /// contiguous, else a contiguous copy.
    ///
    /// # Panics
    /// When the tensor is not `f32` (kiln calls its kernels only on `f32` tensors).
    fn with_f32<R>(tensor: &FloatTensor<Self>, f: impl FnOnce(&[f32]) -> R) -> R;

    /// A tensor of `shape` holding `data` in row-major order.
    fn from_f32(data: Vec<f32>, shape: &[usize]) -> FloatTensor<Self>;

    /// The tensor's elements in row-major order, copied (for per-channel vectors).
    fn to_f32_vec(tensor: &FloatTensor<Self>) -> Vec<f32> {
        Self::with_f32(tensor, <[f32]>::to_vec)
    }
}

#[cfg(feature = "flex")]
impl CpuStorage for Flex {
    fn with_f32<R>(tensor: &FlexTensor, f: impl FnOnce(&[f32]) -> R) -> R {
        match tensor.layout().contiguous_offsets() {
            Some((start, end)) => f(&tensor.storage::<f32>()[start..end]),
            None => {
                let contiguous = tensor.to_contiguous();
                let (start, end) = contiguous
                    .layout()
                    .contiguous_offsets()
                    .expect("to_contiguous returns a contiguous tensor");
                f(&contiguous.storage::<f32>()[start..end])
            }
        }
    }

    fn from_f32(data: Vec<f32>, shape: &[usize]) -> FlexTensor {
        FlexTensor::from_data(TensorData::new(data, shape.to_vec()))
    }
}

#[cfg(feature = "ndarray")]
impl CpuStorage for NdArray {
    fn with_f32<R>(tensor: &NdArrayTensor, f: impl FnOnce(&[f32]) -> R) -> R {
        let NdArrayTensor::F32(storage) = tensor else {
            panic!("kiln kernels take f32 tensors");
        };
        let view = storage.view();
        match view.as_slice() {
            Some(slice) => f(slice),
            None => f(&view.iter().copied().collect::<Vec<f32>>()),
        }
    }

    fn from_f32(data: Vec<f32>, shape: &[usize]) -> NdArrayTensor {
        NdArrayTensor::from_data(TensorData::new(data, shape.to_vec()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "flex")]
    #[test]
    fn strided_flex_tensors_are_read_in_row_major_order() {
        let t = Flex::from_f32(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
        assert_eq!(
            Flex::with_f32(&t, <[f32]>::to_vec),
            [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
        );
        // A transposed view is not contiguous: the kernels must see its logical order.
        let transposed = t.transpose(0, 1);
        assert!(!transposed.is_contiguous());
        assert_eq!(
            Flex::with_f32(&transposed, <[f32]>::to_vec),
            [1.0, 4.0, 2.0, 5.0, 3.0, 6.0]
        );
    }

    #[cfg(feature = "ndarray")]
    #[test]
    fn ndarray_tensors_round_trip() {
        let t = NdArray::from_f32(vec![1.0, 2.0, 3.0, 4.0], &[2, 2]);
        assert_eq!(NdArray::with_f32(&t, <[f32]>::to_vec), [1.0, 2.0, 3.0, 4.0]);
    }
}

//! The backends `--backend` offers: those this build of `kiln` has (its features).

#[cfg(not(any(
    feature = "flex",
    feature = "ndarray",
    feature = "wgpu",
    feature = "cuda"
)))]
compile_error!("the kiln command needs a backend: enable `flex`, `ndarray`, `wgpu` or `cuda`");

use kiln::burn::tensor::Device;

/// A backend to run on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Backend {
    /// burn's flex CPU backend, with kiln's kernels.
    #[cfg(feature = "flex")]
    Flex,
    /// burn's ndarray CPU backend, with kiln's kernels.
    #[cfg(feature = "ndarray")]
    Ndarray,
    /// wgpu (Vulkan, Metal, DX12; Mesa's lavapipe on a CPU-only machine).
    #[cfg(feature = "wgpu")]
    Wgpu,
    /// CUDA (needs the CUDA toolkit).
    #[cfg(feature = "cuda")]
    Cuda,
}

impl Default for Backend {
    /// The first this build has of flex, ndarray, wgpu and CUDA.
    #[allow(unreachable_code)]
    fn default() -> Self {
        #[cfg(feature = "flex")]
        return Backend::Flex;
        #[cfg(feature = "ndarray")]
        return Backend::Ndarray;
        #[cfg(feature = "wgpu")]
        return Backend::Wgpu;
        #[cfg(feature = "cuda")]
        return Backend::Cuda;
    }
}

impl Backend {
    /// The backend's default device.
    #[allow(deprecated)] // burn marks ndarray deprecated; kiln keeps it selectable
    pub fn device(self) -> Device {
        match self {
            #[cfg(feature = "flex")]
            Backend::Flex => Device::flex(),
            #[cfg(feature = "ndarray")]
            Backend::Ndarray => Device::ndarray(),
            #[cfg(feature = "wgpu")]
            Backend::Wgpu => Device::wgpu(kiln::burn::tensor::DeviceKind::Cpu),
            #[cfg(feature = "cuda")]
            Backend::Cuda => Device::cuda(0),
        }
    }
}

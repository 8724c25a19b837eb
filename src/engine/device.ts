import { native } from './native.js';

/** Number of CUDA devices (torch.cuda.device_count). */
export const cudaDeviceCount = (): number => native.cudaDeviceCount();
/** Whether the addon was built with CUDA and a GPU is present (torch.cuda.is_available). */
export const cudaAvailable = (): boolean => cudaDeviceCount() > 0;
/** 'cuda:0' when a CUDA device is available (libtorch built with CUDA), else 'cpu'. */
export const defaultDevice: string = cudaAvailable() ? 'cuda:0' : 'cpu';

/** libtorch's version and build configuration (threads backend, oneDNN, CPU capabilities). */
export function engineInfo(): { torch: string; parallel: string; config: string } {
  return native.version();
}

import { native } from './native.js';

export const cudaDeviceCount = (): number => native.cudaDeviceCount();
export const cudaAvailable = (): boolean => cudaDeviceCount() > 0;
/** 'cuda:0' when a CUDA device is available (libtorch built with CUDA), else 'cpu'. */
export const defaultDevice: string = cudaAvailable() ? 'cuda:0' : 'cpu';

/** libtorch's version and build configuration (threads backend, oneDNN, CPU capabilities). */
export function engineInfo(): { torch: string; parallel: string; config: string } {
  return native.version();
}

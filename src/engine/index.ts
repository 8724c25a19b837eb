/** The engine: libtorch tensors with autograd for TypeScript. `import * as ve from '../engine/index.js'`. */
export * from './dtype.js';
export { EngineError } from './errors.js';
export { Tensor, type Operand, type MemoryFormat, type FromOptions, type Nested } from './tensor.js';
export * from './creation.js';
export * from './ops.js';
export * from './autograd.js';
export { tidy, keep, dispose, memoryStats, emptyCache, type MemoryStats, type CpuCacheStats } from './memory.js';
export * from './threads.js';
export * from './device.js';
export * from './random.js';
export { gradcheck, type GradcheckOptions, type GradcheckResult } from './gradcheck.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * from './safetensors.js';
export * from './quantized.js';
export { ProcessGroup, DEFAULT_BUCKET_BYTES, type ProcessGroupOptions } from './distributed.js';
export { SAFETENSORS_DTYPES, type RawTensor, type RawTypedArray, type SafetensorsDType } from './safetensors-bytes.js';

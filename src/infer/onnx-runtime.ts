/**
 * An exported network run by ONNX Runtime (onnxruntime-node, CPU), behind the same sliding window as
 * the engine's networks: `forwardAsync` takes an engine tensor [N, C, ...] and returns the logits as
 * one. onnxruntime-node is loaded on first use, so the rest of the library works without it.
 */
import * as ve from '../engine/index.js';
import type { Tensor } from '../engine/tensor.js';
import { VesaliusError } from '../util/errors.js';

type Ort = typeof import('onnxruntime-node');
type Session = Awaited<ReturnType<Ort['InferenceSession']['create']>>;

async function loadOrt(): Promise<Ort> {
  try {
    return await import('onnxruntime-node');
  } catch (err) {
    throw new VesaliusError(
      `ONNX Runtime is not available (${(err as Error).message}); install onnxruntime-node (ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node)`,
    );
  }
}

export interface OnnxRuntimeOptions {
  /** Intra-op threads (default: ONNX Runtime's choice, one per core). */
  threads?: number;
}

export class OnnxWindowModel {
  readonly training = false;
  /**
   * ONNX Runtime keeps its weights prepacked, so batching windows saves nothing, and on DRIVE's 96² windows
   * 8 per pass took 2.49 s per image against 1.63 s one at a time (bench/onnx.ts --batch 1|8).
   */
  readonly preferredWindowBatch = 1;

  private constructor(
    private readonly ort: Ort,
    private readonly session: Session,
  ) {}

  /** A session for a model file or its bytes. */
  static async create(model: string | Uint8Array, options: OnnxRuntimeOptions = {}): Promise<OnnxWindowModel> {
    const ort = await loadOrt();
    const sessionOptions = {
      intraOpNumThreads: options.threads ?? 0,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all' as const,
    };
    const session =
      typeof model === 'string'
        ? await ort.InferenceSession.create(model, sessionOptions)
        : await ort.InferenceSession.create(model, sessionOptions);
    return new OnnxWindowModel(ort, session);
  }

  get inputName(): string {
    return this.session.inputNames[0]!;
  }

  train(_mode?: boolean): this {
    return this;
  }

  /** ONNX Runtime answers asynchronously: the sliding window calls forwardAsync. */
  forward(_x: Tensor): Tensor {
    throw new VesaliusError('an ONNX Runtime model runs asynchronously: use forwardAsync');
  }

  async forwardAsync(x: Tensor): Promise<Tensor> {
    const values = ve.tidy(() => (x.dtype === 'float32' ? x : x.to('float32')).contiguous().toArray() as Float32Array);
    const feeds = { [this.inputName]: new this.ort.Tensor('float32', values, x.shape) };
    const result = await this.session.run(feeds);
    const out = result[this.session.outputNames[0]!]!;
    return ve.Tensor.from(out.data as Float32Array, out.dims as number[]);
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

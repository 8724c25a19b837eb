import * as F from '../../ops.js';
import type { Tensor } from '../../tensor.js';
import { Module } from '../module.js';

/** max(x, 0) (torch.nn.ReLU). */
export class ReLU extends Module {
  /** Applies the layer to `x`. */
  forward(x: Tensor): Tensor {
    return F.relu(x);
  }
}

/** x, or negativeSlope·x below 0 (torch.nn.LeakyReLU). */
export class LeakyReLU extends Module {
  /** Arguments and defaults as torch.nn.LeakyReLU's (options in camelCase). */
  constructor(readonly negativeSlope = 0.01) {
    super();
  }
  /** Applies the layer to `x`. */
  forward(x: Tensor): Tensor {
    return F.leakyRelu(x, this.negativeSlope);
  }
}

/** Gaussian error linear unit (torch.nn.GELU). */
export class GELU extends Module {
  /** Arguments and defaults as torch.nn.GELU's (options in camelCase). */
  constructor(readonly approximate: 'none' | 'tanh' = 'none') {
    super();
  }
  /** Applies the layer to `x`. */
  forward(x: Tensor): Tensor {
    return F.gelu(x, { approximate: this.approximate });
  }
}

/** Logistic sigmoid (torch.nn.Sigmoid). */
export class Sigmoid extends Module {
  /** Applies the layer to `x`. */
  forward(x: Tensor): Tensor {
    return F.sigmoid(x);
  }
}

/** Hyperbolic tangent (torch.nn.Tanh). */
export class Tanh extends Module {
  /** Applies the layer to `x`. */
  forward(x: Tensor): Tensor {
    return F.tanh(x);
  }
}

/** Softmax along a dimension (torch.nn.Softmax). */
export class Softmax extends Module {
  /** Arguments and defaults as torch.nn.Softmax's (options in camelCase). */
  constructor(readonly dim: number) {
    super();
  }
  /** Applies the layer to `x`. */
  forward(x: Tensor): Tensor {
    return F.softmax(x, this.dim);
  }
}

/** Log-softmax along a dimension (torch.nn.LogSoftmax). */
export class LogSoftmax extends Module {
  /** Arguments and defaults as torch.nn.LogSoftmax's (options in camelCase). */
  constructor(readonly dim: number) {
    super();
  }
  /** Applies the layer to `x`. */
  forward(x: Tensor): Tensor {
    return F.logSoftmax(x, this.dim);
  }
}

/** Returns its input. Callers must not dispose the result separately from the input. */
export class Identity extends Module {
  /** Applies the layer to `x`. */
  forward(x: Tensor): Tensor {
    return x;
  }
}

/** Merges dimensions startDim..endDim (torch.nn.Flatten). */
export class Flatten extends Module {
  /** Arguments and defaults as torch.nn.Flatten's (options in camelCase). */
  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
  }
  /** Applies the layer to `x`. */
  forward(x: Tensor): Tensor {
    return F.flatten(x, this.startDim, this.endDim);
  }
}

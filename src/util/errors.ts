/**
 * Errors a user can cause. The CLI prints `message` on one line and exits non-zero;
 * anything that is not a VesaliusError is a bug and keeps its stack trace.
 */
export class VesaliusError extends Error {
  override name = 'VesaliusError';
}

/** A file that cannot be read as what it claims to be. The message names the file. */
export class FileFormatError extends VesaliusError {
  override name = 'FileFormatError';
  /**
   * Creates a `FileFormatError`.
   * @param path the file (its message starts with it)
   * @param reason what is wrong, for the user
   */
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
  }
}

/** A command-line option or config key with an invalid value. The message names the option. */
export class OptionError extends VesaliusError {
  override name = 'OptionError';
  /**
   * Creates a `OptionError`.
   * @param option the library's option or config key (the CLI maps it to its flag)
   * @param reason what is wrong, for the user
   */
  constructor(
    readonly option: string,
    readonly reason: string,
  ) {
    super(`${option}: ${reason}`);
  }
}

/** Shapes, geometries or datasets that do not fit together. */
export class ShapeError extends VesaliusError {
  override name = 'ShapeError';
}

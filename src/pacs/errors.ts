import { VesaliusError } from '../util/errors.js';

/** A PACS that cannot be reached or refuses a request. The message names the server and what failed. */
export class PacsError extends VesaliusError {
  override name = 'PacsError';
  /**
   * Creates a `PacsError`.
   * @param url - the server
   * @param reason - what failed
   * @param status - the HTTP status, when there was one
   */
  constructor(
    readonly url: string,
    readonly reason: string,
    readonly status?: number,
  ) {
    super(`${url}: ${reason}`);
  }
}

import { VesaliusError } from '../util/errors.js';

/** A PACS that cannot be reached or refuses a request. The message names the server and what failed. */
export class PacsError extends VesaliusError {
  override name = 'PacsError';
  constructor(
    readonly url: string,
    readonly reason: string,
    readonly status?: number,
  ) {
    super(`${url}: ${reason}`);
  }
}

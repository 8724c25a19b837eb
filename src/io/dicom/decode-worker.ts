// Worker thread: decodes the frames of one file per job (see decode-pool.ts).
import { parentPort } from 'node:worker_threads';
import { FileFormatError } from '../../util/errors.js';
import { loadCodecs, type StoredArray } from './codecs.js';
import { decodeFramesOf } from './decode-file.js';
import type { DecodeJob, DecodeReply } from './decode-pool.js';
import { parseDicomBytes } from './parse.js';
import { readBytes } from './scan.js';

/** A copy unless the array owns its whole buffer (views into a file buffer must not be transferred). */
function owned(values: StoredArray): StoredArray {
  return values.byteOffset === 0 && values.byteLength === values.buffer.byteLength
    ? values
    : (values.slice() as StoredArray);
}

parentPort!.on('message', async (job: DecodeJob) => {
  let reply: DecodeReply;
  try {
    await loadCodecs();
    const parsed = parseDicomBytes(job.path, await readBytes(job.path));
    const decoded = decodeFramesOf(parsed, job.frames);
    const values = job.frames.map((f) => owned(decoded.get(f)!));
    parentPort!.postMessage(
      { id: job.id, values } satisfies DecodeReply,
      values.map((v) => v.buffer as ArrayBuffer),
    );
    return;
  } catch (e) {
    reply =
      e instanceof FileFormatError
        ? { id: job.id, error: { path: e.path, reason: e.reason } }
        : { id: job.id, error: { message: e instanceof Error ? (e.stack ?? e.message) : String(e) } };
  }
  parentPort!.postMessage(reply);
});

/**
 * A DICOMweb client on plain `fetch` (PS3.18): QIDO-RS search, WADO-RS retrieve (multipart/related of
 * Part 10 instances, in the transfer syntax they are stored in), STOW-RS store. An unreachable server,
 * a timeout or an HTTP error is a one-line PacsError naming the server and the request.
 */
import { type DicomJson, jsonItems, jsonText } from './dicom-json.js';
import { PacsError } from './errors.js';
import { boundaryOf, buildMultipart, splitMultipart } from './multipart.js';

export interface DicomWebOptions {
  /** Extra request headers (e.g. Authorization). */
  headers?: Record<string, string>;
  /** A bearer token, sent as Authorization: Bearer TOKEN. */
  token?: string;
  /** Per request (default 60 s). */
  timeoutMs?: number;
}

export interface StowResult {
  stored: { sopClassUid: string; sopInstanceUid: string }[];
  failed: { sopClassUid: string; sopInstanceUid: string; reason: string }[];
}

const DICOM_PART = 'application/dicom';

function networkReason(e: unknown): string {
  const err = e as { name?: string; cause?: { code?: string; message?: string }; message?: string };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'no answer in time (timeout)';
  const code = err.cause?.code;
  if (code === 'ECONNREFUSED')
    return 'unreachable (connection refused: is the PACS running, and is this its DICOMweb address?)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'unreachable (host name not found)';
  if (code) return `unreachable (${code})`;
  return `unreachable (${err.cause?.message ?? err.message ?? String(e)})`;
}

export class DicomWebClient {
  readonly url: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;

  /**
   * @param url - the DICOMweb root, e.g. http://pacs:8042/dicom-web
   * @throws PacsError for a URL that is not http(s)
   */
  constructor(url: string, options: DicomWebOptions = {}) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new PacsError(url, 'not a URL (expected e.g. http://pacs:8042/dicom-web)');
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      throw new PacsError(url, 'DICOMweb needs an http:// or https:// URL');
    this.url = url.replace(/\/+$/, '');
    this.headers = { ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}), ...options.headers };
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  private async request(
    method: string,
    path: string,
    init: { accept: string; body?: Uint8Array; contentType?: string },
  ): Promise<Response> {
    const target = `${this.url}${path}`;
    let response: Response;
    try {
      response = await fetch(target, {
        method,
        headers: {
          ...this.headers,
          Accept: init.accept,
          ...(init.contentType ? { 'Content-Type': init.contentType } : {}),
        },
        body: init.body as Uint8Array<ArrayBuffer> | undefined,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      throw new PacsError(this.url, `${method} ${path}: ${networkReason(e)}`);
    }
    if (!response.ok && !(method === 'POST' && (response.status === 202 || response.status === 409))) {
      const text = (await response.text().catch(() => '')).replace(/\s+/g, ' ').trim().slice(0, 200);
      const hint = response.status === 401 || response.status === 403 ? ' (credentials: --token or --header)' : '';
      throw new PacsError(
        this.url,
        `${method} ${path} refused: HTTP ${response.status} ${response.statusText}${hint}${text ? `: ${text}` : ''}`,
        response.status,
      );
    }
    return response;
  }

  private async search(path: string, query: Record<string, string> = {}): Promise<DicomJson[]> {
    const q = new URLSearchParams(query).toString();
    const response = await this.request('GET', `${path}${q ? `?${q}` : ''}`, { accept: 'application/dicom+json' });
    if (response.status === 204) return [];
    const text = await response.text();
    if (!text.trim()) return [];
    try {
      return JSON.parse(text) as DicomJson[];
    } catch {
      throw new PacsError(this.url, `GET ${path}: the answer is not DICOM JSON`);
    }
  }

  /** QIDO-RS studies (query keys are keywords or tags: PatientID, AccessionNumber, StudyInstanceUID ...). */
  searchStudies(query: Record<string, string> = {}): Promise<DicomJson[]> {
    return this.search('/studies', query);
  }

  /** QIDO-RS series of a study. */
  searchSeries(study: string, query: Record<string, string> = {}): Promise<DicomJson[]> {
    return this.search(`/studies/${encodeURIComponent(study)}/series`, query);
  }

  /** QIDO-RS instances of a study, or of one of its series. */
  searchInstances(study: string, series?: string, query: Record<string, string> = {}): Promise<DicomJson[]> {
    const path = series
      ? `/studies/${encodeURIComponent(study)}/series/${encodeURIComponent(series)}/instances`
      : `/studies/${encodeURIComponent(study)}/instances`;
    return this.search(path, query);
  }

  private async retrieve(path: string): Promise<Uint8Array[]> {
    const response = await this.request('GET', path, {
      accept: `multipart/related; type="${DICOM_PART}"; transfer-syntax=*`,
    });
    const boundary = boundaryOf(response.headers.get('content-type'));
    const body = new Uint8Array(await response.arrayBuffer());
    if (!boundary)
      throw new PacsError(
        this.url,
        `GET ${path}: the answer is not multipart/related (Content-Type ${response.headers.get('content-type')})`,
      );
    return splitMultipart(body, boundary);
  }

  /** WADO-RS: every instance of a series, as Part 10 bytes. */
  retrieveSeries(study: string, series: string): Promise<Uint8Array[]> {
    return this.retrieve(`/studies/${encodeURIComponent(study)}/series/${encodeURIComponent(series)}`);
  }

  /** WADO-RS: one instance. */
  async retrieveInstance(study: string, series: string, instance: string): Promise<Uint8Array> {
    const parts = await this.retrieve(
      `/studies/${encodeURIComponent(study)}/series/${encodeURIComponent(series)}/instances/${encodeURIComponent(instance)}`,
    );
    if (parts.length !== 1)
      throw new PacsError(this.url, `instance ${instance}: expected one part, got ${parts.length}`);
    return parts[0]!;
  }

  /**
   * STOW-RS: stores Part 10 files in one request (to `study` when given). Returns what the server
   * stored and what it refused, with its reasons.
   */
  async store(files: readonly Uint8Array[], study?: string): Promise<StowResult> {
    const { body, contentType } = buildMultipart(files, DICOM_PART);
    const path = study ? `/studies/${encodeURIComponent(study)}` : '/studies';
    const response = await this.request('POST', path, { accept: 'application/dicom+json', body, contentType });
    const text = await response.text();
    let json: DicomJson = {};
    if (text.trim()) {
      try {
        const parsed = JSON.parse(text) as DicomJson | DicomJson[];
        json = Array.isArray(parsed) ? (parsed[0] ?? {}) : parsed;
      } catch {
        throw new PacsError(this.url, `POST ${path}: the answer is not DICOM JSON`);
      }
    }
    const ref = (item: DicomJson) => ({
      sopClassUid: jsonText(item, '00081150'),
      sopInstanceUid: jsonText(item, '00081155'),
    });
    return {
      stored: jsonItems(json, '00081199').map(ref),
      failed: jsonItems(json, '00081198').map((item) => ({
        ...ref(item),
        reason: `failure reason ${jsonText(item, '00081197') || 'not given'}`,
      })),
    };
  }
}

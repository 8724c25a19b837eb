/**
 * The server's security requirements, against a live server and Redis: keys and scopes (401/403),
 * size and voxel limits before anything is stored (413), ids and names that cannot reach the file
 * system (400/404, generated names on disk), malformed and truncated uploads (400, nothing left on
 * disk), rate limits (429), CORS off by default, and logs without patient data.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { pino } from 'pino';
import { createImage } from '../../src/io/image.js';
import { encodeNifti } from '../../src/io/nifti/write.js';
import { addKey, KeyStore, revokeKey } from '../../src/serve/keys.js';
import { createServer, type VesaliusServer } from '../../src/serve/server.js';
import { diskImage, redisReference, testRedis, tinyModels } from '../helpers/serve.js';
import { tempDir } from '../helpers/tmp.js';

let server: VesaliusServer;
let base: string;
let data: string;
let keyFile: string;
let models: string;
const keys: Record<string, string> = {};
const logs: string[] = [];
let image: Buffer;

before(async () => {
  if (redisReference.skip) return;
  models = await tinyModels({ iterations: 4 });
  const redis = await testRedis();
  data = tempDir();
  keyFile = join(tempDir(), 'keys.json');
  for (const [name, scopes] of [
    ['admin', ['admin']],
    ['reader', ['read']],
    ['alice', ['read', 'submit']],
    ['bob', ['read', 'submit']],
    ['leaver', ['read', 'submit']],
  ] as const)
    keys[name] = addKey(keyFile, name, [...scopes]).key;
  server = await createServer({
    models,
    data,
    redis: redis.socket,
    keys: new KeyStore(keyFile),
    limits: { maxBytes: 64 * 1024, maxVoxels: 40 * 40 * 4 },
    rateLimit: { submitMax: 12 },
    logger: pino({ level: 'info' }, { write: (line: string) => logs.push(line) }),
  });
  base = await server.app.listen({ port: 0, host: '127.0.0.1' });
  image = readFileSync(await diskImage(tempDir(), 'x.nii.gz', 3));
});
after(async () => server?.close());

const bearer = (who: string) => ({ authorization: `Bearer ${keys[who]}` });

function upload(bytes: Uint8Array, name = 'scan.nii.gz'): FormData {
  const form = new FormData();
  form.append('file', new Blob([Buffer.from(bytes)]), name);
  return form;
}

async function submit(
  who: string,
  body: FormData | string,
  query = 'model=disks',
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${base}/api/jobs?${query}`, {
    method: 'POST',
    headers: { ...bearer(who), ...headers },
    body,
  });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as { id?: string; message?: string } };
}

/** Nothing of a refused upload may remain: no staging folder, no job folder. */
function assertNothingStored(jobsBefore: number): void {
  assert.deepEqual(readdirSync(join(data, 'uploads')), [], 'uploads/ is empty');
  assert.equal(readdirSync(join(data, 'jobs')).length, jobsBefore, 'no job folder was left');
}

test(
  'missing, wrong and revoked keys are 401 on every route but /health; a missing scope is 403',
  redisReference,
  async () => {
    assert.equal((await fetch(`${base}/health`)).status, 200);
    const id = '0b4c6c52-3b5e-4f6e-9a43-52a3c1b8e0d1';
    for (const path of [
      '/api/models',
      '/api/jobs',
      `/api/jobs/${id}`,
      `/api/jobs/${id}/files/labels.nii.gz`,
      '/metrics',
      '/openapi.json',
      '/api/monitoring/disks',
      '/api/no-such-route',
    ]) {
      const none = await fetch(`${base}${path}`);
      assert.equal(none.status, 401, `${path} without a key`);
      assert.match(none.headers.get('www-authenticate') ?? '', /Bearer/);
      assert.equal(
        (await fetch(`${base}${path}`, { headers: { authorization: 'Bearer vsk_00000000_wrong' } })).status,
        401,
        `${path} with a wrong key`,
      );
      assert.equal(
        (await fetch(`${base}${path}`, { headers: { authorization: `Basic ${keys.admin}` } })).status,
        401,
        `${path}: not a bearer token`,
      );
    }
    // the public prefixes do not open a way around the keys
    for (const path of [
      '/viewer/../api/models',
      '/viewer/%2e%2e/api/models',
      '/viewer/..%2fapi%2fmodels',
      '/health/../api/jobs',
      '/viewer/../../etc/passwd',
    ]) {
      const res = await fetch(`${base}${path}`);
      assert.ok([400, 401, 403, 404].includes(res.status), `${path}: ${res.status}`);
      assert.doesNotMatch(await res.text(), /"name":"disks"|root:/, path);
    }
    assert.equal((await fetch(`${base}/api/models`, { headers: bearer('leaver') })).status, 200);
    assert.equal(revokeKey(keyFile, 'leaver'), 1);
    assert.equal((await fetch(`${base}/api/models`, { headers: bearer('leaver') })).status, 401, 'revoked at once');
    // scopes
    assert.equal((await fetch(`${base}/api/models`, { headers: bearer('reader') })).status, 200);
    assert.equal((await submit('reader', upload(image))).status, 403);
    assertNothingStored(0);
    const job = await submit('alice', upload(image));
    assert.equal(job.status, 202, job.body.message);
    const del = (who: string) => fetch(`${base}/api/jobs/${job.body.id}`, { method: 'DELETE', headers: bearer(who) });
    assert.equal((await del('reader')).status, 403, 'read scope cannot delete');
    assert.equal((await del('bob')).status, 403, "bob cannot delete alice's job");
    assert.equal(
      (await fetch(`${base}/api/jobs/${job.body.id}/cancel`, { method: 'POST', headers: bearer('bob') })).status,
      403,
    );
    assert.equal((await del('alice')).status, 204);
    assert.ok(!existsSync(join(data, 'jobs', job.body.id!)), 'deleting removes the files');
    assert.equal((await fetch(`${base}/api/jobs/${job.body.id}`, { headers: bearer('alice') })).status, 404);
  },
);

test(
  'oversized uploads are 413 before they are stored: declared length, streamed length, voxel count',
  redisReference,
  async () => {
    const before = readdirSync(join(data, 'jobs')).length;
    // declared larger than one file may be: refused from the header, before the body is read
    const huge = new Uint8Array(2 * 1024 * 1024);
    const declared = await submit('alice', upload(huge));
    assert.equal(declared.status, 413, declared.body.message);
    assertNothingStored(before);
    // within the request slack but over the per-file limit: stopped while streaming, partial file removed
    const streamed = await submit('alice', upload(new Uint8Array(200 * 1024)));
    assert.equal(streamed.status, 413, streamed.body.message);
    assertNothingStored(before);
    // small file, but its header declares more voxels than allowed (40×40×4)
    const big = gzipSync(encodeNifti(createImage(new Uint8Array(64 * 64 * 4), [64, 64, 4])));
    const voxels = await submit('alice', upload(big));
    assert.equal(voxels.status, 413);
    assert.match(voxels.body.message!, /voxels exceed/);
    assertNothingStored(before);
  },
);

test('malformed and truncated uploads are 400 with a reason and leave nothing on disk', redisReference, async () => {
  const before = readdirSync(join(data, 'jobs')).length;
  const cases: [string, FormData | string, Record<string, string>, RegExp][] = [
    ['truncated gzip', upload(image.subarray(0, image.length - 50)), {}, /truncated|unexpected end/i],
    ['garbage', upload(new TextEncoder().encode('this is not an image at all')), {}, /unrecognised/],
    [
      'a text field',
      (() => {
        const f = new FormData();
        f.append('note', 'hello');
        return f;
      })(),
      {},
      /unexpected form field|form field/,
    ],
    ['no file', new FormData(), {}, /no file|multipart/],
    ['not multipart', JSON.stringify({ image: 'x' }), { 'content-type': 'application/json' }, /multipart/],
    [
      'cut multipart',
      '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.nii.gz"\r\n\r\nabc',
      { 'content-type': 'multipart/form-data; boundary=xyz' },
      /.+/,
    ],
  ];
  for (const [what, body, headers, reason] of cases) {
    const r = await submit('alice', body as FormData, 'model=disks', headers);
    assert.equal(r.status, 400, `${what}: ${r.status} ${r.body.message}`);
    assert.match(r.body.message ?? '', reason, what);
    assert.ok(!(r.body.message ?? '').includes(data), `${what}: the reason names no server path`);
    assertNothingStored(before);
  }
});

test('ids, model names and file names from a request never reach the file system', redisReference, async () => {
  for (const path of [
    '/api/jobs/..%2F..%2Fkeys.json',
    '/api/jobs/../../etc/passwd',
    '/api/jobs/not-a-uuid',
    '/api/jobs/0b4c6c52-3b5e-4f6e-9a43-52a3c1b8e0d1%2F..%2F..',
    '/api/models/..%2F..%2Fetc',
  ]) {
    const res = await fetch(`${base}${path}`, { headers: bearer('admin') });
    assert.ok(res.status === 400 || res.status === 404, `${path}: ${res.status}`);
    assert.notEqual(res.status, 200);
  }
  assert.equal((await submit('alice', upload(image), 'model=..%2F..%2Fetc')).status, 400);
  assert.equal((await submit('alice', upload(image), 'model=nope')).status, 404);
  // a hostile file name is only a sanitised label; the file is stored under a generated name
  const job = await submit('alice', upload(image, '../../../../tmp/DOE^JOHN_19600101.nii.gz'));
  assert.equal(job.status, 202);
  const record = JSON.parse(readFileSync(join(data, 'jobs', job.body.id!, 'job.json'), 'utf8'));
  assert.equal(record.inputs[0].file, '0.nii.gz');
  assert.equal(record.inputs[0].name, 'DOE_JOHN_19600101.nii.gz');
  assert.deepEqual(readdirSync(join(data, 'jobs', job.body.id!, 'input')), ['0.nii.gz']);
  assert.ok(!existsSync('/tmp/DOE^JOHN_19600101.nii.gz'));
  // result files: only names the result lists (none yet), and the name pattern refuses paths
  for (const name of ['job.json', '..%2Fjob.json', '.env', 'labels.nii.gz']) {
    const res = await fetch(`${base}/api/jobs/${job.body.id}/files/${name}`, { headers: bearer('admin') });
    assert.ok(res.status === 400 || res.status === 404, `${name}: ${res.status}`);
  }
});

test('rate limits answer 429; CORS is off by default; logs carry no patient data or keys', redisReference, async () => {
  const preflight = await fetch(`${base}/api/jobs`, {
    method: 'OPTIONS',
    headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
  });
  assert.equal(preflight.headers.get('access-control-allow-origin'), null);
  const get = await fetch(`${base}/api/models`, { headers: { ...bearer('admin'), origin: 'https://evil.example' } });
  assert.equal(get.headers.get('access-control-allow-origin'), null);
  assert.equal(get.headers.get('x-content-type-options'), 'nosniff');
  let limited = 0;
  for (let n = 0; n < 14; n++) if ((await submit('bob', upload(image))).status === 429) limited++;
  assert.ok(limited >= 1, 'submissions beyond 12 a minute are refused');
  const text = logs.join('');
  assert.ok(logs.length > 10);
  for (const line of logs) JSON.parse(line); // every line is JSON
  for (const secret of ['DOE', 'JOHN', '19600101', 'scan.nii.gz', ...Object.values(keys), 'authorization', 'Bearer'])
    assert.ok(!text.includes(secret), `the logs do not contain ${secret}`);
  assert.match(text, /"route":"\/api\/jobs"/);
});

test('OpenAPI description (with a key) lists the routes and the bearer scheme', redisReference, async () => {
  const res = await fetch(`${base}/openapi.json`, { headers: bearer('reader') });
  assert.equal(res.status, 200);
  const doc = (await res.json()) as {
    openapi: string;
    paths: Record<string, unknown>;
    components: { securitySchemes: unknown };
  };
  assert.match(doc.openapi, /^3\./);
  for (const path of [
    '/api/models',
    '/api/jobs',
    '/api/jobs/{id}',
    '/api/jobs/{id}/result',
    '/api/jobs/{id}/cancel',
    '/api/jobs/{id}/correction',
    '/api/monitoring/{model}',
    '/metrics',
    '/health',
  ])
    assert.ok(doc.paths[path], `OpenAPI has ${path}`);
  assert.deepEqual(doc.components.securitySchemes, { apiKey: { type: 'http', scheme: 'bearer' } });
});

test(
  'CORS, when asked for, allows the named origin only (a viewer served from a static folder)',
  redisReference,
  async () => {
    const redis = await testRedis();
    const other = await createServer({
      models,
      data: tempDir(),
      redis: redis.socket,
      keys: new KeyStore(keyFile),
      corsOrigins: ['https://viewer.example'],
      logger: false,
    });
    try {
      const url = await other.app.listen({ port: 0, host: '127.0.0.1' });
      const preflight = (origin: string) =>
        fetch(`${url}/api/models`, {
          method: 'OPTIONS',
          headers: {
            origin,
            'access-control-request-method': 'GET',
            'access-control-request-headers': 'authorization',
          },
        });
      const allowed = await preflight('https://viewer.example');
      assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://viewer.example');
      assert.match(allowed.headers.get('access-control-allow-headers') ?? '', /authorization/i);
      assert.equal((await preflight('https://evil.example')).headers.get('access-control-allow-origin'), null);
    } finally {
      await other.close();
    }
  },
);

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { addKey, allows, hashKey, KeyStore, parseScopes, revokeKey } from '../../src/serve/keys.js';
import { redisOptions } from '../../src/serve/queue.js';
import { OptionError } from '../../src/util/errors.js';
import { tempDir } from '../helpers/tmp.js';

test('keys: only SHA-256 hashes are stored; verify finds the key and its scopes; revoking and editing the file apply at once', () => {
  const file = join(tempDir(), 'keys.json');
  const a = addKey(file, 'alice', ['read', 'submit']);
  const b = addKey(file, 'ops', ['admin']);
  assert.equal(a.record.hash, hashKey(a.key));
  assert.match(hashKey('abc'), /^sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad$/);
  const stored = readFileSync(file, 'utf8');
  assert.ok(!stored.includes(a.key) && !stored.includes(b.key));
  const store = new KeyStore(file, [{ key: 'a-direct-command-line-key', scopes: ['read'] }]);
  assert.deepEqual(store.verify(a.key), { keyId: a.record.id, name: 'alice', scopes: ['read', 'submit'] });
  assert.equal(store.verify(`${a.key}x`), undefined);
  assert.equal(store.verify(''), undefined);
  assert.deepEqual(store.verify('a-direct-command-line-key')?.scopes, ['read']);
  assert.equal(store.size, 3);
  revokeKey(file, 'alice');
  assert.equal(store.verify(a.key), undefined, 'revoked');
  // the server re-reads the file when it changes (a key removed by hand)
  const edited = JSON.parse(readFileSync(file, 'utf8'));
  edited.keys = edited.keys.filter((k: { name: string }) => k.name !== 'ops');
  writeFileSync(file, JSON.stringify(edited));
  const later = Date.now() + 20;
  while (Date.now() < later); // a later modification time
  writeFileSync(file, JSON.stringify(edited));
  assert.equal(store.verify(b.key), undefined);
  assert.throws(() => new KeyStore(undefined, [{ key: 'short', scopes: ['read'] }]), OptionError);
});

test('scopes: admin may do everything; unknown scopes are refused', () => {
  const p = (scopes: ('read' | 'submit' | 'admin')[]) => ({ keyId: 'x', name: 'x', scopes });
  assert.ok(allows(p(['admin']), 'submit'));
  assert.ok(allows(p(['read', 'submit']), 'submit'));
  assert.ok(!allows(p(['read']), 'submit'));
  assert.deepEqual(parseScopes('read, submit,read'), ['read', 'submit']);
  assert.throws(() => parseScopes('read,root'), /unknown scope "root"/);
  assert.throws(() => parseScopes(''), /at least one/);
});

test('Redis connection strings: redis:// URLs with password and database, Unix sockets', () => {
  assert.deepEqual(redisOptions('redis://:s%40cret@10.0.0.5:6380/2'), {
    host: '10.0.0.5',
    port: 6380,
    password: 's@cret',
    db: 2,
    maxRetriesPerRequest: null,
  });
  assert.deepEqual(redisOptions('redis://localhost'), { host: 'localhost', port: 6379, maxRetriesPerRequest: null });
  assert.deepEqual(redisOptions('/run/redis.sock'), { path: '/run/redis.sock', maxRetriesPerRequest: null });
  assert.throws(() => redisOptions('http://x'), /expected redis:/);
  assert.throws(() => redisOptions('nonsense'), /not a redis/);
});

/** `vesalius keys add|revoke|list FILE`: API keys of a server (only their hashes are stored). */
import type { Command } from 'commander';
import { VesaliusError } from '../util/errors.js';

export function register(program: Command): void {
  const keys = program
    .command('keys')
    .description('API keys for `vesalius serve` (stored hashed, with scopes read, submit, admin)');
  keys
    .command('add')
    .argument('<file>', 'key file (created if absent)')
    .requiredOption('--name <name>', 'who or what uses the key (shown in logs and correction provenance)')
    .option('--scopes <list>', 'read, submit, admin (comma-separated)', 'read,submit')
    .description('creates a key and prints it once')
    .action(async (file: string, flags: { name: string; scopes: string }) => {
      const { addKey, parseScopes } = await import('../serve/keys.js');
      const { key, record } = addKey(file, flags.name, parseScopes(flags.scopes, '--scopes'));
      process.stderr.write(
        `keys: added ${record.id} (${record.name}: ${record.scopes.join(', ')}); the key is shown only now:\n`,
      );
      process.stdout.write(`${key}\n`);
    });
  keys
    .command('revoke')
    .argument('<file>', 'key file')
    .argument('<key>', 'key id or name')
    .description('revokes a key (a running server stops accepting it at once)')
    .action(async (file: string, which: string) => {
      const { revokeKey } = await import('../serve/keys.js');
      const n = revokeKey(file, which);
      if (n === 0) throw new VesaliusError(`${file}: no unrevoked key with id or name "${which}"`);
      process.stderr.write(`keys: revoked ${n} key(s)\n`);
    });
  keys
    .command('list')
    .argument('<file>', 'key file')
    .description('lists the keys (ids, names, scopes; never the keys)')
    .action(async (file: string) => {
      const { readKeyFile } = await import('../serve/keys.js');
      for (const k of readKeyFile(file).keys)
        process.stdout.write(
          `${k.id}  ${k.name}  ${k.scopes.join(',')}  ${k.revoked ? `revoked ${k.revoked}` : 'active'}\n`,
        );
    });
}

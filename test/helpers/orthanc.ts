/**
 * A real Orthanc with its DICOMweb plugin for tests, reachable only from this machine. Orthanc cannot
 * bind to 127.0.0.1 alone, so it runs in a new network namespace holding nothing but a loopback
 * (`unshare -rn`: a user namespace too, so no root is needed; root without user namespaces falls back
 * to `unshare -n`). A bridge inside the namespace serves Orthanc's port on a Unix socket in a private
 * temporary folder; a bridge outside listens on 127.0.0.1 and forwards to that socket. Every process
 * is ended by its id when the test stops it.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasCommand } from './reference.js';
import { tempDir } from './tmp.js';

const PLUGIN = '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';
const BRIDGE = fileURLToPath(new URL('./orthanc-bridge.mjs', import.meta.url));

/** The unshare arguments that give a loopback-only network namespace here, or undefined. */
function namespaceCommand(): string[] | undefined {
  if (!hasCommand('unshare') || !hasCommand('ip')) return undefined;
  for (const args of [['-rn'], ['-n']]) {
    const r = spawnSync('unshare', [...args, 'sh', '-c', 'ip link set lo up'], { encoding: 'utf8' });
    if (r.status === 0) return args;
  }
  return undefined;
}

let cached: string[] | undefined | null = null;
export function orthancNamespace(): string[] | undefined {
  if (cached === null) cached = hasCommand('Orthanc') && existsSync(PLUGIN) ? namespaceCommand() : undefined;
  return cached;
}

/** Whether Orthanc, its DICOMweb plugin and a loopback-only network namespace are available. */
export function hasOrthanc(): boolean {
  return orthancNamespace() !== undefined;
}

export interface Orthanc {
  /** DICOMweb root, e.g. http://127.0.0.1:41234/dicom-web */
  dicomweb: string;
  /** Orthanc's own REST API root. */
  rest: string;
  stop(): Promise<void>;
}

function firstLine(child: ChildProcess, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start`)), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      text += d.toString();
      if (text.includes('\n')) {
        clearTimeout(timer);
        resolve(text.split('\n')[0]!.trim());
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code})`));
    });
  });
}

async function waitFor(url: string, log: string): Promise<void> {
  const until = Date.now() + 30_000;
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > until)
      throw new Error(
        `Orthanc did not answer at ${url}:\n${existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : ''}`,
      );
    await new Promise((r) => setTimeout(r, 150));
  }
}

export async function startOrthanc(): Promise<Orthanc> {
  const ns = orthancNamespace();
  if (!ns) throw new Error('Orthanc with the DICOMweb plugin and a network namespace are not available');
  const dir = tempDir('vesalius-orthanc-');
  const config = join(dir, 'orthanc.json');
  const socket = join(dir, 'orthanc.sock');
  const pidFile = join(dir, 'orthanc.pid');
  const log = join(dir, 'orthanc.log');
  writeFileSync(
    config,
    JSON.stringify({
      Name: 'vesalius-test',
      StorageDirectory: join(dir, 'db'),
      IndexDirectory: join(dir, 'db'),
      HttpPort: 8042,
      HttpServerEnabled: true,
      DicomServerEnabled: false,
      RemoteAccessAllowed: false,
      AuthenticationEnabled: false,
      OrthancExplorerEnabled: false,
      WebDavEnabled: false,
      HttpCompressionEnabled: false,
      ConcurrentJobs: 1,
      Plugins: [PLUGIN],
      DicomWeb: { Enable: true, Root: '/dicom-web/', EnableWado: true, Ssl: false },
    }),
  );
  // Inside the namespace a shell starts Orthanc and the socket bridge, and on TERM ends both and waits
  // for them (so no process is left unreaped); stop() sends it TERM.
  const script =
    'ip link set lo up || exit 1; Orthanc "$1" > "$2" 2>&1 & o=$!; echo $o > "$3"; node "$4" unix-to-tcp "$5" 8042 & b=$!; ' +
    "trap 'kill $o $b 2>/dev/null; wait $o; wait $b; exit 0' TERM; wait";
  const inner = spawn('unshare', [...ns, 'sh', '-c', script, 'sh', config, log, pidFile, BRIDGE, socket], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const innerExit = new Promise<void>((resolve) => inner.once('exit', () => resolve()));
  await firstLine(inner, 'the namespace bridge');
  const orthancPid = Number(readFileSync(pidFile, 'utf8'));
  const outer = spawn(process.execPath, [BRIDGE, 'tcp-to-unix', socket], { stdio: ['ignore', 'pipe', 'inherit'] });
  const outerExit = new Promise<void>((resolve) => outer.once('exit', () => resolve()));
  const port = await firstLine(outer, 'the loopback bridge');
  const rest = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (outer.exitCode === null) outer.kill();
    if (inner.exitCode === null) inner.kill('SIGTERM');
    const timeout = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), 10_000));
    if ((await Promise.race([Promise.all([innerExit, outerExit]), timeout])) === 'late') {
      // a shell that did not end its children: end Orthanc by its id
      try {
        process.kill(orthancPid, 'SIGKILL');
      } catch {
        // already gone
      }
      inner.kill('SIGKILL');
    }
  };
  try {
    await waitFor(`${rest}/system`, log);
  } catch (e) {
    await stop();
    throw e;
  }
  return { dicomweb: `${rest}/dicom-web`, rest, stop };
}

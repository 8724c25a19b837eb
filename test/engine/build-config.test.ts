// The addon's CMake configuration: $LIBTORCH must decide which libtorch is compiled against AND linked,
// even when Debian's libtorch-dev is installed too (its folders are on CMake's default search path).
// A stand-in for a PyTorch install is made from Debian's files: its own folder, its own library paths.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers/tmp.js';

const debianLib = '/usr/lib/x86_64-linux-gnu';
const native = new URL('../../native', import.meta.url).pathname;
const hasCmake = spawnSync('cmake', ['--version']).status === 0;
const hasDebianTorch =
  existsSync(join(debianLib, 'cmake/Torch/TorchConfig.cmake')) && existsSync(join(debianLib, 'cmake/Caffe2'));
const skip = !hasCmake
  ? 'cmake is not installed'
  : !hasDebianTorch
    ? "Debian's libtorch-dev (x86-64) is not installed"
    : false;

function configure(libtorch: string, build: string, prefix?: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, LIBTORCH: libtorch };
  if (prefix) env.TORCH_INSTALL_PREFIX = prefix; // Debian's TorchConfig assumes its own depth below the prefix
  return spawnSync('cmake', ['-S', native, '-B', build], { env, encoding: 'utf8' });
}

test('LIBTORCH picks the libtorch that is linked, not only its headers', { skip }, () => {
  const root = tempDir();
  const lt = join(root, 'torch');
  mkdirSync(join(lt, 'share/cmake'), { recursive: true });
  cpSync(join(debianLib, 'cmake/Torch'), join(lt, 'share/cmake/Torch'), { recursive: true });
  cpSync(join(debianLib, 'cmake/Caffe2'), join(lt, 'share/cmake/Caffe2'), { recursive: true });
  symlinkSync('/usr/include', join(lt, 'include'));
  symlinkSync('/usr/include', join(root, 'include'));
  // Debian's Caffe2 targets name <prefix>/x86_64-linux-gnu/lib*.so; TorchConfig searches <prefix>/lib
  for (const dir of ['lib', 'x86_64-linux-gnu']) {
    mkdirSync(join(lt, dir));
    for (const f of readdirSync(debianLib).filter((f) => /^lib(torch|torch_cpu|c10)\.so/.test(f)))
      symlinkSync(join(debianLib, f), join(lt, dir, f));
  }
  const r = configure(lt, join(root, 'build'), lt);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`vesalius: libtorch [0-9.]+ from ${lt}/share/cmake/Torch`));
  const link = readFileSync(join(root, 'build/CMakeFiles/vesalius.dir/link.txt'), 'utf8');
  const torchLibs = link.split(/[\s",]+/).filter((w) => /lib(torch|torch_cpu|c10)\.so/.test(w));
  assert.ok(torchLibs.length >= 3, link);
  for (const lib of torchLibs) assert.ok(lib.startsWith(lt), `links ${lib}, outside LIBTORCH`);
});

test('a LIBTORCH without a libtorch in it is refused with a message naming it', { skip }, () => {
  const root = tempDir();
  const r = configure(join(root, 'nothing-here'), join(root, 'build'));
  assert.notEqual(r.status, 0);
  assert.match(r.stderr.replace(/\s+/g, ' '), /LIBTORCH=\S*nothing-here holds no TorchConfig\.cmake/); // CMake wraps long lines
});

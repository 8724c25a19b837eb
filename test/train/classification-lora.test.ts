// LoRA fine-tuning through the one trainer: a base ResNet-18 (3 classes) adapted to a 2-class task with
// adapters on layer3 and layer4 and a new head; interrupted and resumed it ends byte-equal to an
// uninterrupted run; every base tensor (running statistics too) keeps its bytes; the adapter files hold
// only adapter and head tensors; `vesalius finetune-merge` makes an ordinary run with the same
// probabilities; bad LoRA keys are one error naming the key.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ve from '../../src/engine/index.js';
import { createImage } from '../../src/io/image.js';
import { writePng } from '../../src/io/raster.js';
import { isLoraName } from '../../src/nets/lora.js';
import { ResNet } from '../../src/nets/resnet.js';
import { loadClassificationRun, predictSamples, samplesFromPaths } from '../../src/train/classification/run.js';
import { quietProgress } from '../../src/train/progress.js';
import { readLog } from '../../src/train/run-folder.js';
import { train } from '../../src/train/trainer.js';
import { Random } from '../../src/util/random.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const quiet = { progress: quietProgress(), workers: 1 };

async function classFolders(root: string, perClass = 5, size = 16): Promise<string[]> {
  const rng = new Random(8);
  const files: string[] = [];
  for (const [c, name] of ['dark', 'bright'].entries()) {
    mkdirSync(join(root, name), { recursive: true });
    for (let n = 0; n < perClass; n++) {
      const data = new Uint8Array(size * size);
      for (let v = 0; v < data.length; v++) data[v] = 40 + rng.int(30) + (c ? 60 * (v % size > size / 2 ? 1 : 0) : 0);
      const file = join(root, name, `img${n}.png`);
      await writePng(createImage(data, [size, size, 1]), file);
      files.push(file);
    }
  }
  return files;
}

function tensorsOf(path: string): Map<string, Buffer> {
  const { tensors } = ve.readSafetensorsFile(path);
  const out = new Map<string, Buffer>();
  for (const [name, t] of Object.entries(tensors)) {
    const a = t.toArray() as Float32Array;
    out.set(name, Buffer.from(a.buffer, a.byteOffset, a.byteLength));
    t.dispose();
  }
  return out;
}

async function setup() {
  const dir = tempDir();
  const data = join(dir, 'data');
  const files = await classFolders(data);
  ve.manualSeed(5);
  const base = new ResNet({ depth: 18, inChannels: 1, numClasses: 3 });
  ve.noGrad(() => {
    for (const [name, t] of Object.entries(base.stateDict()))
      if (name.endsWith('running_var')) t.copy_(ve.rand(t.shape).add(0.5));
  });
  const weights = join(dir, 'base.safetensors');
  ve.saveModule(base, weights);
  base.dispose();
  const config = (lora: string) => {
    const path = join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(
      path,
      `task: classification
dataset: { format: folders, path: ${JSON.stringify(data)} }
input: { size: [16, 16], mean: [0.5], std: [0.5] }
finetune: { weights: ${JSON.stringify(weights)}, lora: ${lora} }
optimizer: { lr: 0.01 }
epochs: 2
batch_size: 4
validation: { folds: 2, fold: 0 }
augmentation: { flip: { p: 0.5 } }
threads: 1
output: run
`,
    );
    return path;
  };
  return { dir, files, weights, config };
}

test('LoRA through the trainer: exact resume, frozen base bytes, small adapter files, merge with equal predictions', async (t) => {
  const { dir, files, weights, config } = await setup();
  const cfg = config('{ rank: 2, alpha: 4, dropout: 0.1, target: [layer3, layer4] }');
  const whole = join(dir, 'whole');
  const done = await train(cfg, { ...quiet, out: whole });
  assert.equal(done.epochsDone, 2);

  const parted = join(dir, 'parted');
  await train(cfg, { ...quiet, out: parted, stopAfterEpoch: 1 });
  await train(cfg, { ...quiet, out: parted, resume: true });
  for (const f of ['last.safetensors', 'last.lora.safetensors', 'best.lora.safetensors'])
    assert.deepEqual(
      tensorsOf(join(parted, 'checkpoints', f)),
      tensorsOf(join(whole, 'checkpoints', f)),
      `${f} after resume`,
    );
  assert.deepEqual(
    readLog(parted).map((e) => e.train_loss),
    readLog(whole).map((e) => e.train_loss),
  );

  // only the adapters and the new head moved: every base tensor, running statistics too, keeps its bytes
  const start = tensorsOf(weights);
  const last = tensorsOf(join(whole, 'checkpoints', 'last.safetensors'));
  const changed = [...last.keys()].filter((n) => !start.has(n) || !start.get(n)!.equals(last.get(n)!));
  assert.deepEqual(changed.filter((n) => !isLoraName(n)).sort(), ['fc.bias', 'fc.weight']);
  assert.ok(
    changed.filter((n) => n.endsWith('lora_B.weight')).length === 10,
    'all 10 adapters (layer3, layer4) trained',
  );
  const adapters = tensorsOf(join(whole, 'checkpoints', 'last.lora.safetensors'));
  assert.deepEqual([...adapters.keys()].filter((n) => !isLoraName(n)).sort(), ['fc.bias', 'fc.weight']);
  assert.equal([...adapters.keys()].filter(isLoraName).length, 20);
  for (const [n, b] of adapters) assert.ok(b.equals(last.get(n)!), n);
  const ratio =
    statSync(join(whole, 'checkpoints', 'last.lora.safetensors')).size /
    statSync(join(whole, 'checkpoints', 'last.safetensors')).size;
  assert.ok(ratio < 0.02, `adapter file ${(100 * ratio).toFixed(2)}% of the checkpoint`);

  // merged: an ordinary run (no LoRA in its config or weights) with the adapted run's probabilities
  const merged = join(dir, 'merged');
  const r = runCli(['finetune-merge', whole, '-o', merged, '--json']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).checkpoints, [
    join(merged, 'checkpoints', 'best.safetensors'),
    join(merged, 'checkpoints', 'last.safetensors'),
  ]);
  assert.equal(JSON.parse(readFileSync(join(merged, 'config.json'), 'utf8')).finetune.lora, null);
  assert.ok(![...tensorsOf(join(merged, 'checkpoints', 'best.safetensors')).keys()].some((n) => n.includes('lora')));
  const samples = samplesFromPaths(files);
  const adapted = await predictSamples(loadClassificationRun(whole), samples);
  const plain = await predictSamples(loadClassificationRun(merged), samples);
  const diff = Math.max(
    ...adapted.flatMap((p, i) => p.probabilities.map((v, k) => Math.abs(v - plain[i]!.probabilities[k]!))),
  );
  t.diagnostic(
    `adapter file ${(100 * ratio).toFixed(2)}% of the checkpoint; max |p_merged − p_adapted| = ${diff.toExponential(2)}`,
  );
  assert.ok(diff < 1e-5, `max |p_merged − p_adapted| = ${diff}`);
  // the adapters are in the merged weights: an adapted layer's kernel moved from the base's, a plain one did not
  const mergedLast = tensorsOf(join(merged, 'checkpoints', 'last.safetensors'));
  assert.ok(!mergedLast.get('layer4.0.conv1.weight')!.equals(start.get('layer4.0.conv1.weight')!));
  assert.ok(mergedLast.get('layer2.0.conv1.weight')!.equals(start.get('layer2.0.conv1.weight')!));
  const again = runCli(['finetune-merge', whole, '-o', merged]);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /already holds a run/);
});

test('bad LoRA keys are one error naming the key', async () => {
  const { dir, config } = await setup();
  await assert.rejects(
    train(config('{ rank: 0, target: [layer4] }'), { ...quiet, out: join(dir, 'a') }),
    /finetune\.lora\.rank: .*(too small|>0|positive)/i,
  );
  await assert.rejects(
    train(config('{ rank: 2, target: [layer9] }'), { ...quiet, out: join(dir, 'b') }),
    /finetune\.lora\.target: 'layer9' matches no linear or convolution layer/,
  );
  const noBase = config('{ rank: 2, target: [layer4] }');
  writeFileSync(noBase, readFileSync(noBase, 'utf8').replace(/weights: [^,]*, /, ''));
  await assert.rejects(train(noBase, { ...quiet, out: join(dir, 'c') }), /finetune\.lora: needs finetune\.weights/);
  const r = runCli(['train', config('{ rank: 2, target: [nothing] }'), '--no-progress']);
  assert.equal(r.status, 1);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /finetune\.lora\.target: 'nothing' matches no linear or convolution layer/);
});

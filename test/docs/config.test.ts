// docs/config.md is generated from the zod schema (scripts/config-docs.ts): it must be what the script
// writes now, so a new or changed key cannot leave the page behind. The generator itself is checked on
// a schema with every construct other config sections may use.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { z } from 'zod';
import { CONFIG_DOC_PATH, configReference, trainingConfigReference } from '../../scripts/config-docs.js';

test("docs/config.md is what `npm run docs:config` generates from the training tasks' schemas", () => {
  const expected = trainingConfigReference();
  const actual = readFileSync(CONFIG_DOC_PATH, 'utf8');
  assert.ok(actual === expected, 'docs/config.md is out of date: run `npm run docs:config` and commit the result');
});

test('every training config key is in the page with its type, default and meaning', () => {
  const page = trainingConfigReference();
  assert.match(page, /## Task `segmentation` \(the default\)/);
  assert.match(page, /\| `lr` \| number > 0 \| `0\.01` \| Initial learning rate\. \|/);
  assert.match(page, /\| `fold` \| integer ≥ 0 or `"all"` \| `0` \|/);
  assert.match(page, /\| `dataset` \| object, see \[dataset\]\(#dataset\) \| \*\*required\*\* \|/);
  assert.match(page, /\| `range` \| \[number, number\] \| `\[0\.7, 1\.4\]` \|/);
  assert.match(page, /#### Folder spec/);
});

const describedSchema = z.strictObject({
  task: z
    .discriminatedUnion('kind', [
      z.strictObject({
        kind: z.literal('classification').describe('Classify whole images.'),
        classes: z.array(z.string()).min(2).describe('Class names.'),
      }),
      z.strictObject({
        kind: z.literal('detection').describe('Find boxes.'),
        anchors: z
          .array(z.tuple([z.number(), z.number()]))
          .default([[8, 8]])
          .describe('Anchor sizes.'),
      }),
    ])
    .describe('What to learn.'),
  weights: z.record(z.string(), z.number().positive()).nullable().default(null).describe('Per-class weights.'),
  mode: z
    .union([z.enum(['a', 'b']), z.number().int().min(1).max(9)])
    .default('a')
    .describe('A mode or a level.'),
  cv: z
    .strictObject({ folds: z.number().int().positive().default(5).describe('Folds.') })
    .prefault({})
    .describe('Cross-validation.'),
  note: z.string().optional().describe('Free text.'),
});

test('the generator handles discriminated unions, records, nullable, arrays, tuples, defaults and prefaults', () => {
  const page = configReference(describedSchema);
  assert.match(
    page,
    /\| `task` \| object, see \[task \(kind: "classification"\)\]\(#task-kind-classification\) or object, see \[task \(kind: "detection"\)\]\(#task-kind-detection\) \| \*\*required\*\* \| What to learn\. \|/,
  );
  assert.match(page, /### task \(kind: "classification"\)/);
  assert.match(page, /\| `classes` \| list of string \(≥ 2 items\) \| \*\*required\*\* \| Class names\. \|/);
  assert.match(page, /\| `anchors` \| list of \[number, number\] \| `\[\[8, 8\]\]` \| Anchor sizes\. \|/);
  assert.match(page, /\| `weights` \| mapping of string to number > 0 or null \| `null` \|/);
  assert.match(page, /\| `mode` \| `"a"` or `"b"` or integer in \[1, 9\] \| `"a"` \|/);
  assert.match(page, /\| `cv` \| object, see \[cv\]\(#cv\) \| each key’s default \| Cross-validation\. \|/);
  assert.match(page, /### cv\n\nCross-validation\.\n\n\| Key/);
  assert.match(page, /\| `note` \| string \| not set \| Free text\. \|/);
});

test('a key without a description is an error naming it', () => {
  const schema = z.strictObject({ a: z.number().describe('A.'), b: z.strictObject({ c: z.boolean() }).describe('B.') });
  assert.throws(() => configReference(schema), /no description .*: b\.c$/);
});

test('a zod type the generator does not know is an error, not a wrong page', () => {
  const schema = z.strictObject({ when: z.date().describe('A date.') });
  assert.throws(() => configReference(schema), /when: zod type 'date' is not handled/);
});

test('several tasks: each has its section, a schema they share is documented once and linked', () => {
  const shared = z
    .strictObject({ lr: z.number().default(0.1).describe('Rate.') })
    .prefault({})
    .describe('Optimizer.');
  const a = z.strictObject({ optimizer: shared, depth: z.number().default(3).describe('Depth.') });
  const b = z.strictObject({
    task: z.literal('b').describe('Task b.'),
    optimizer: shared,
    dataset: z.strictObject({ csv: z.string().describe('Table.') }).describe('Data.'),
  });
  const page = trainingConfigReference({ a: { schema: a }, b: { schema: b } });
  assert.match(page, /## Task `a` \(the default\)/);
  assert.match(page, /## Task `b`\n/);
  assert.equal(page.match(/\| `lr` \|/g)?.length, 1, 'the shared optimizer is documented once');
  assert.match(page, /### b: dataset/);
  assert.match(
    page,
    /\| `optimizer` \| object, see \[optimizer\]\(#optimizer\) \| each key’s default \| Optimizer\. \|/,
  );
  assert.throws(() => trainingConfigReference({ c: {} }), /task 'c' has no schema/);
});

/**
 * Writes docs/config.md, the training config reference, from the zod schema in src/train/config.ts:
 * every key with its type, default and meaning (the schema's `.describe()` texts). Run it with
 * `npm run docs:config` after changing the schema; test/docs/config.test.ts fails when the page
 * differs from what this script generates, and when a key has no description.
 *
 * The walk is generic over zod 4's schema definitions: objects (a section each), unions and
 * discriminated unions (object options get a section per option), nullable/optional/default/prefault
 * wrappers, arrays, tuples, records, enums, literals and the number/string/array checks.
 */
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { configSchema } from '../src/train/config.js';
import { TASKS } from '../src/train/tasks.js';
import { writeFileAtomic } from '../src/util/atomic.js';

/** The fields of a zod 4 definition that the walk reads (`schema._zod.def`). */
interface Def {
  type: string;
  innerType?: Schema;
  in?: Schema;
  element?: Schema;
  items?: Schema[];
  rest?: Schema | null;
  options?: Schema[];
  discriminator?: string;
  keyType?: Schema;
  valueType?: Schema;
  left?: Schema;
  right?: Schema;
  shape?: Record<string, Schema>;
  entries?: Record<string, string | number>;
  values?: unknown[];
  getter?: () => Schema;
  checks?: Array<{ _zod: { def: Check } }>;
}
interface Check {
  check: string;
  format?: string;
  value?: number;
  inclusive?: boolean;
  minimum?: number;
  maximum?: number;
  length?: number;
  pattern?: RegExp;
}
type Schema = z.ZodType;

const defOf = (s: Schema): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** Wrappers that do not change what a user writes. */
const TRANSPARENT = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional']);

/** The schema under optional/nullable/default/... wrappers (and a pipe's input). */
function unwrap(s: Schema): Schema {
  let cur = s;
  for (;;) {
    const d = defOf(cur);
    if (TRANSPARENT.has(d.type) && d.innerType) cur = d.innerType;
    else if (d.type === 'pipe' && d.in) cur = d.in;
    else if (d.type === 'lazy' && d.getter) cur = d.getter();
    else return cur;
  }
}

/** The first description found from the outside in. */
function descriptionOf(s: Schema): string | undefined {
  let cur: Schema | undefined = s;
  while (cur) {
    if (cur.description) return cur.description;
    const d = defOf(cur);
    cur = TRANSPARENT.has(d.type) ? d.innerType : d.type === 'pipe' ? d.in : undefined;
  }
  return undefined;
}

function numberConstraint(checks: Check[]): { integer: boolean; bounds: string } {
  let integer = false;
  let lo: { value: number; inclusive: boolean } | undefined;
  let hi: { value: number; inclusive: boolean } | undefined;
  let multiple = '';
  for (const c of checks) {
    if (c.check === 'number_format' && (c.format === 'safeint' || c.format?.startsWith('int'))) integer = true;
    if (c.check === 'greater_than' && c.value !== undefined) lo = { value: c.value, inclusive: !!c.inclusive };
    if (c.check === 'less_than' && c.value !== undefined) hi = { value: c.value, inclusive: !!c.inclusive };
    if (c.check === 'multiple_of' && c.value !== undefined) multiple = `, a multiple of ${c.value}`;
  }
  // An integer above n is at least n + 1 (and below n at most n − 1).
  if (integer && lo && !lo.inclusive) lo = { value: lo.value + 1, inclusive: true };
  if (integer && hi && !hi.inclusive) hi = { value: hi.value - 1, inclusive: true };
  let bounds = '';
  if (lo && hi) bounds = `in ${lo.inclusive ? '[' : '('}${lo.value}, ${hi.value}${hi.inclusive ? ']' : ')'}`;
  else if (lo) bounds = `${lo.inclusive ? '≥' : '>'} ${lo.value}`;
  else if (hi) bounds = `${hi.inclusive ? '≤' : '<'} ${hi.value}`;
  return { integer, bounds: bounds + multiple };
}

function lengthConstraint(checks: Check[], unit: string): string {
  let min: number | undefined;
  let max: number | undefined;
  for (const c of checks) {
    if (c.check === 'min_length') min = c.minimum;
    if (c.check === 'max_length') max = c.maximum;
    if (c.check === 'length_equals') min = max = c.length;
  }
  if (min !== undefined && min === max) return `${min} ${unit}`;
  if (min !== undefined && max !== undefined) return `${min}–${max} ${unit}`;
  if (min !== undefined) return `≥ ${min} ${unit}`;
  if (max !== undefined) return `≤ ${max} ${unit}`;
  return '';
}

/** An object type documented in its own section. */
interface Section {
  /** The heading: the schema's meta title, else the key path (with the variant for a union option). */
  title: string;
  /** The key path, for nested keys and messages. */
  path: string;
  schema: Schema;
  description?: string;
}

const titleOf = (s: Schema): string | undefined => (z.globalRegistry.get(s) as { title?: string } | undefined)?.title;

class Walker {
  readonly sections: Section[] = [];
  /** Prepended to section titles (a task other than the default one), so that anchors stay unique. */
  titlePrefix = '';
  private readonly named = new Map<Schema, string>();
  readonly undescribed: string[] = [];

  /** The section title of an object schema that is not a plain nested key (reused by identity). */
  private sectionFor(schema: Schema, path: string, title: string, description?: string): string {
    const known = this.named.get(schema);
    if (known) return known;
    const heading = titleOf(schema) ?? `${this.titlePrefix}${title}`;
    this.named.set(schema, heading);
    this.sections.push({ title: heading, path, schema, description: descriptionOf(schema) ?? description });
    return heading;
  }

  /** A type in words; object types get a section named `path` and are linked. */
  typeOf(s: Schema, path: string): string {
    const inner = unwrap(s);
    const d = defOf(inner);
    const nullable = isNullable(s);
    const t = this.bareType(inner, d, path);
    return nullable ? `${t} or null` : t;
  }

  private bareType(s: Schema, d: Def, path: string): string {
    const checks = (d.checks ?? []).map((c) => c._zod.def);
    switch (d.type) {
      case 'string': {
        const pattern = checks.find((c) => c.check === 'string_format' && c.format === 'regex')?.pattern;
        const format = checks.find((c) => c.check === 'string_format' && c.format !== 'regex')?.format;
        const length = lengthConstraint(checks, 'characters');
        if (pattern) return `string matching \`/${pattern.source}/\``;
        if (format) return `string (${format})`;
        return length === '≥ 1 characters' ? 'non-empty string' : length ? `string (${length})` : 'string';
      }
      case 'number': {
        const { integer, bounds } = numberConstraint(checks);
        return `${integer ? 'integer' : 'number'}${bounds ? ` ${bounds}` : ''}`;
      }
      case 'int':
        return 'integer';
      case 'boolean':
        return 'boolean';
      case 'null':
        return 'null';
      case 'any':
      case 'unknown':
        return 'any value';
      case 'enum':
        return Object.values(d.entries ?? {})
          .map((v) => `\`${JSON.stringify(v)}\``)
          .join(' or ');
      case 'literal':
        return (d.values ?? []).map((v) => `\`${JSON.stringify(v)}\``).join(' or ');
      case 'array': {
        const length = lengthConstraint(checks, 'items');
        const item = this.typeOf(d.element!, `${path}[]`);
        return `list of ${item}${length ? ` (${length})` : ''}`;
      }
      case 'tuple': {
        const items = (d.items ?? []).map((x, i) => this.typeOf(x, `${path}[${i}]`));
        const rest = d.rest ? `, ...${this.typeOf(d.rest, `${path}[]`)}` : '';
        return `[${items.join(', ')}${rest}]`;
      }
      case 'record': {
        const key = this.typeOf(d.keyType!, `${path}.<key>`);
        return `mapping of ${key} to ${this.typeOf(d.valueType!, `${path}.<key>`)}`;
      }
      case 'union': {
        const options = d.options ?? [];
        return options
          .map((o, i) => {
            const od = defOf(unwrap(o));
            if (od.type !== 'object') return this.typeOf(o, path);
            const variant = variantName(unwrap(o), d.discriminator) ?? `option ${i + 1}`;
            return this.link(this.sectionFor(unwrap(o), path, `${path} (${variant})`, descriptionOf(o)));
          })
          .join(' or ');
      }
      case 'intersection':
        return `${this.typeOf(d.left!, path)} and ${this.typeOf(d.right!, path)}`;
      case 'object':
        return this.link(this.sectionFor(s, path, path));
      default:
        throw new Error(
          `config-docs: ${path}: zod type '${d.type}' is not handled; teach scripts/config-docs.ts to describe it`,
        );
    }
  }

  link(title: string): string {
    return `object, see [${title}](#${anchor(title)})`;
  }

  /** The rows of one object section: key, type, default, meaning. */
  rows(section: Section): string[][] {
    const shape = defOf(section.schema).shape ?? {};
    return Object.entries(shape).map(([key, field]) => {
      const path = section.path ? `${section.path}.${key}` : key;
      const inner = unwrap(field);
      // A nested object key is its own section, titled by its path; its description heads it.
      const type =
        defOf(inner).type === 'object'
          ? this.link(this.sectionFor(inner, path, path, descriptionOf(field)))
          : this.typeOf(field, path);
      const meaning = descriptionOf(field);
      if (!meaning) this.undescribed.push(`${this.titlePrefix}${path}`);
      return [`\`${key}\``, type, defaultOf(field), meaning ?? ''];
    });
  }
}

/** `kind: "a"` for a discriminated-union option, from the discriminator's literal. */
function variantName(option: Schema, discriminator: string | undefined): string | undefined {
  const shape = defOf(option).shape ?? {};
  const key = discriminator ?? Object.keys(shape).find((k) => defOf(unwrap(shape[k]!)).type === 'literal');
  if (!key || !shape[key]) return undefined;
  const d = defOf(unwrap(shape[key]));
  return d.type === 'literal' ? `${key}: ${(d.values ?? []).map((v) => JSON.stringify(v)).join(' or ')}` : undefined;
}

function isNullable(s: Schema): boolean {
  let cur: Schema | undefined = s;
  while (cur) {
    const d = defOf(cur);
    if (d.type === 'nullable') return true;
    cur = TRANSPARENT.has(d.type) ? d.innerType : undefined;
  }
  return false;
}

/** The default a key takes when left out: parsed from `undefined`, so prefaults and nested defaults count. */
function defaultOf(field: Schema): string {
  const result = field.safeParse(undefined);
  if (!result.success) return '**required**';
  const value = result.data;
  if (value === undefined) return 'not set';
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return 'each key’s default';
  return `\`${literal(value)}\``;
}

/** A value as YAML flow/JSON would show it, with spaces after commas. */
function literal(value: unknown): string {
  return Array.isArray(value) ? `[${value.map(literal).join(', ')}]` : JSON.stringify(value);
}

/** GitHub's heading anchor. */
function anchor(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n+/g, ' ');

function table(rows: string[][]): string {
  const lines = ['| Key | Type | Default | Meaning |', '| --- | --- | --- | --- |'];
  for (const r of rows) lines.push(`| ${r.map(cell).join(' | ')} |`);
  return lines.join('\n');
}

const INTRO = `# Training configuration reference

<!-- Generated by \`npm run docs:config\` from the zod schema of each training task (src/train/tasks.ts;
     the segmentation config is src/train/config.ts). Do not edit by hand:
     test/docs/config.test.ts fails when this page differs from what scripts/config-docs.ts writes. -->

\`vesalius train <config>\` reads one YAML or JSON file (\`train\` in \`vesalius/train\`); its \`task\` key picks the
training task and so the keys it takes (segmentation when left out). It is validated
strictly: an unknown key, a wrong type or a value out of range is an error that names the key's path
(e.g. \`optimizer.lr: expected number, got string\`). Everything left out takes the default below, which
are nnU-Net's defaults wherever nnU-Net has one. Keys are snake_case, like nnU-Net's plans. Relative
paths (\`dataset.root\`, \`output\`) resolve against the config file's folder.

"each key’s default" means the key is a section whose own keys all take their defaults when it is left
out. Examples: [examples/drive.yaml](../examples/drive.yaml), [examples/brats.yaml](../examples/brats.yaml).`;

/** Renders `schema`'s sections depth first: a section's table, then the sections its keys introduced. */
function renderSchema(walker: Walker, out: string[], top: Section, depth: number): void {
  const render = (section: Section, level: number, heading: boolean): void => {
    const known = walker.sections.length;
    const rows = walker.rows(section);
    if (heading) out.push('', `${'#'.repeat(Math.min(level, 4))} ${section.title}`);
    if (section.description) out.push('', section.description);
    out.push('', table(rows));
    for (const child of walker.sections.slice(known)) render(child, level + 1, true);
  };
  render(top, depth, top.title !== '');
}

function checkDescribed(walker: Walker): void {
  if (walker.undescribed.length > 0) {
    throw new Error(
      `config-docs: these config keys have no description (add .describe('...') to the schema): ${walker.undescribed.join(', ')}`,
    );
  }
}

/** The reference of one schema: its top-level keys, then a section per nested object. */
export function configReference(schema: Schema = configSchema): string {
  const walker = new Walker();
  const out: string[] = [INTRO];
  renderSchema(walker, out, { title: 'Top level', path: '', schema }, 2);
  checkDescribed(walker);
  return `${out.join('\n')}\n`;
}

/**
 * The page: every training task's config (`task:` picks one; the first is the default), each key once.
 * A schema shared by tasks (optimizer, schedule ...) is documented where it first appears and linked.
 */
export function trainingConfigReference(tasks: Record<string, { schema?: Schema }> = TASKS): string {
  const walker = new Walker();
  const out: string[] = [INTRO];
  Object.entries(tasks).forEach(([name, task], i) => {
    if (!task.schema) throw new Error(`config-docs: task '${name}' has no schema to document (TrainingTask.schema)`);
    walker.titlePrefix = i === 0 ? '' : `${name}: `;
    out.push('', `## Task \`${name}\`${i === 0 ? ' (the default)' : ''}`);
    renderSchema(walker, out, { title: '', path: '', schema: task.schema, description: descriptionOf(task.schema) }, 2);
  });
  checkDescribed(walker);
  return `${out.join('\n')}\n`;
}

export const CONFIG_DOC_PATH = fileURLToPath(new URL('../docs/config.md', import.meta.url));

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileAtomic(CONFIG_DOC_PATH, trainingConfigReference());
  console.error(`wrote ${CONFIG_DOC_PATH}`);
}

/**
 * The Medical Segmentation Decathlon / nnU-Net folder layout:
 *
 *   dataset.json   MSD style: "modality": {"0": "CT"}, "labels": {"0": "background", "1": "liver"},
 *                  "training": [{"image": "./imagesTr/x.nii.gz", "label": "./labelsTr/x.nii.gz"}], "test": [...]
 *                  or nnU-Net v2 style: "channel_names": {"0": "T2"}, "labels": {"background": 0, "liver": 1},
 *                  "numTraining": 20, "file_ending": ".nii.gz"
 *   imagesTr/      one file per case (4D when multi-modal) or one per channel: CASE_0000.nii.gz, CASE_0001.nii.gz ...
 *   labelsTr/      CASE.nii.gz
 *   imagesTs/      optional, same naming; labelsTs/ optional
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { FileFormatError, VesaliusError } from '../../util/errors.js';
import { type Case, type Dataset, type LabelClass, checkLabelClasses, sortCases } from './dataset.js';

const numberedMap = z.record(z.string(), z.string());
const datasetJson = z.looseObject({
  name: z.string().optional(),
  modality: numberedMap.optional(),
  channel_names: numberedMap.optional(),
  labels: z.record(z.string(), z.union([z.string(), z.number(), z.array(z.number())])),
  numTraining: z.number().int().nonnegative().optional(),
  file_ending: z.string().optional(),
  training: z.array(z.looseObject({ image: z.string(), label: z.string() })).optional(),
});

export interface MsdOptions {
  /** Overrides the classes of dataset.json. */
  labels?: LabelClass[];
  /** Overrides the channel names of dataset.json. */
  channels?: string[];
  labelRemap?: Record<number, number>;
}

/** Reads a folder in the MSD / nnU-Net layout. */
export function discoverMsd(root: string, options: MsdOptions = {}): Dataset {
  const dir = resolve(root);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new VesaliusError(`${dir}: dataset folder not found`);
  const jsonPath = join(dir, 'dataset.json');
  if (!existsSync(jsonPath))
    throw new VesaliusError(`${jsonPath}: not found (an MSD/nnU-Net dataset needs dataset.json)`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(jsonPath, 'utf8'));
  } catch (err) {
    throw new FileFormatError(jsonPath, `not valid JSON (${(err as Error).message})`);
  }
  const parsed = datasetJson.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new FileFormatError(jsonPath, `${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  const meta = parsed.data;
  const labels = options.labels
    ? checkLabelClasses(options.labels, 'dataset.classes')
    : parseLabels(meta.labels, jsonPath);
  const channelMap = meta.channel_names ?? meta.modality;
  if (!channelMap && !options.channels)
    throw new FileFormatError(jsonPath, `needs "channel_names" (nnU-Net v2) or "modality" (MSD)`);
  const channels = options.channels ?? orderedValues(channelMap!, jsonPath, 'channel_names');
  const ending = meta.file_ending ?? '.nii.gz';

  const imagesTr = join(dir, 'imagesTr');
  const labelsTr = join(dir, 'labelsTr');
  for (const folder of [imagesTr, labelsTr]) {
    if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new VesaliusError(`${folder}: folder not found`);
  }
  const cases = pairLabels(groupImages(imagesTr, ending, channels.length), labelsTr, ending, true);
  if (cases.length === 0)
    throw new VesaliusError(`${imagesTr}: no training images ending in ${ending} (empty dataset)`);
  if (meta.numTraining !== undefined && meta.numTraining !== cases.length) {
    throw new FileFormatError(
      jsonPath,
      `numTraining is ${meta.numTraining} but ${imagesTr} holds ${cases.length} cases`,
    );
  }
  for (const entry of meta.training ?? []) {
    for (const rel of [entry.label]) {
      const path = join(dir, rel);
      if (!existsSync(path)) throw new FileFormatError(jsonPath, `training entry ${rel} does not exist`);
    }
  }

  const imagesTs = join(dir, 'imagesTs');
  const labelsTs = join(dir, 'labelsTs');
  const test = existsSync(imagesTs)
    ? pairLabels(groupImages(imagesTs, ending, channels.length), labelsTs, ending, false)
    : [];
  return {
    name: meta.name ?? dir.split(/[\\/]/).at(-1)!,
    layout: 'msd',
    root: dir,
    cases,
    test,
    labels,
    channels,
    ...(options.labelRemap ? { labelRemap: options.labelRemap } : {}),
  };
}

/** MSD labels {"0": "background"} or nnU-Net v2 labels {"background": 0}. */
function parseLabels(map: Record<string, string | number | number[]>, jsonPath: string): LabelClass[] {
  const out: LabelClass[] = [];
  for (const [key, value] of Object.entries(map)) {
    if (Array.isArray(value))
      throw new FileFormatError(jsonPath, `labels.${key}: region-based labels (lists of values) are not supported`);
    if (typeof value === 'number') out.push({ name: key, value });
    else {
      const v = Number(key);
      if (!Number.isInteger(v))
        throw new FileFormatError(
          jsonPath,
          `labels: key '${key}' must be an integer class value (MSD style) or the value must be a number (nnU-Net v2 style)`,
        );
      out.push({ name: value, value: v });
    }
  }
  return checkLabelClasses(out, `${jsonPath}: labels`);
}

function orderedValues(map: Record<string, string>, jsonPath: string, what: string): string[] {
  const entries = Object.entries(map).map(([k, v]) => [Number(k), v] as const);
  entries.sort((a, b) => a[0] - b[0]);
  entries.forEach(([k], i) => {
    if (k !== i)
      throw new FileFormatError(jsonPath, `${what}: keys must be 0, 1, 2, ... (got ${Object.keys(map).join(', ')})`);
  });
  return entries.map(([, v]) => v);
}

function listFiles(folder: string, ending: string): string[] {
  return readdirSync(folder)
    .filter((f) => !f.startsWith('.') && f.endsWith(ending))
    .sort();
}

/**
 * Groups image files into cases: `ID_XXXX<ending>` files (four-digit channel suffix) become one case
 * with channels ordered by suffix; otherwise each file is one case (4D for several channels).
 */
function groupImages(folder: string, ending: string, channelCount: number): Case[] {
  const files = listFiles(folder, ending);
  const suffixed = files.map((f) => /^(.+)_(\d{4})$/.exec(f.slice(0, -ending.length)));
  // With one channel, `_XXXX` is a channel suffix only when it is always 0000 (ids may end in digits).
  const useSuffix = files.length > 0 && suffixed.every((m) => m !== null && (channelCount > 1 || m[2] === '0000'));
  if (!useSuffix) {
    if (suffixed.some((m) => m !== null) && channelCount > 1) {
      const odd = files[suffixed.indexOf(null)]!;
      throw new VesaliusError(`${join(folder, odd)}: lacks the _XXXX channel suffix that the other images have`);
    }
    return sortCases(files.map((f) => ({ id: f.slice(0, -ending.length), images: [join(folder, f)] })));
  }
  const byId = new Map<string, Map<number, string>>();
  suffixed.forEach((m, i) => {
    const [, id, channel] = m!;
    const channels = byId.get(id!) ?? new Map<number, string>();
    channels.set(Number(channel), join(folder, files[i]!));
    byId.set(id!, channels);
  });
  const cases: Case[] = [];
  for (const [id, channels] of byId) {
    const images: string[] = [];
    for (let c = 0; c < channelCount; c++) {
      const path = channels.get(c);
      if (!path)
        throw new VesaliusError(
          `${join(folder, `${id}_${String(c).padStart(4, '0')}${ending}`)}: missing (case ${id} needs ${channelCount} channels)`,
        );
      images.push(path);
    }
    const extra = [...channels.keys()].filter((c) => c >= channelCount);
    if (extra.length > 0)
      throw new VesaliusError(
        `${channels.get(extra[0]!)}: channel ${extra[0]} but dataset.json declares only ${channelCount} channels`,
      );
    cases.push({ id, images });
  }
  return sortCases(cases);
}

/** Attaches `labels/ID<ending>` to each case; unmatched labels or (when required) images are errors. */
function pairLabels(cases: Case[], labelFolder: string, ending: string, required: boolean): Case[] {
  if (!existsSync(labelFolder)) {
    if (required) throw new VesaliusError(`${labelFolder}: folder not found`);
    return cases;
  }
  const labels = new Set(listFiles(labelFolder, ending));
  for (const c of cases) {
    const name = `${c.id}${ending}`;
    if (labels.has(name)) {
      c.label = join(labelFolder, name);
      labels.delete(name);
    } else if (required) {
      throw new VesaliusError(`${c.images[0]}: image without a label (expected ${join(labelFolder, name)})`);
    }
  }
  const orphan = [...labels][0];
  if (orphan !== undefined) throw new VesaliusError(`${join(labelFolder, orphan)}: label without an image`);
  return cases;
}

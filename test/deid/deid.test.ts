// De-identification against PS3.15 Table E.1-1, attribute by attribute (read back with pydicom), at the
// top level and inside sequences; no original name, ID, date or UID anywhere in the output bytes; pixel
// data byte-identical; UIDs mapped the same way across files and runs; the options; the refusals.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { test } from 'node:test';
import dicomParser from 'dicom-parser';
import { deidentify } from '../../src/deid/deidentify.js';
import { type DeidOptions, activeOptions } from '../../src/deid/options.js';
import { type Action, resolveAction, ROWS } from '../../src/deid/table.js';
import { derivedUid } from '../../src/io/dicom/write/uid.js';
import { runCli } from '../helpers/cli.js';
import { sharedData, skipUnlessData } from '../helpers/data.js';
import { type Corpus, writeCorpus } from '../helpers/deid-corpus.js';
import { hasPythonModules, referenceTest, SYSTEM_PYTHON } from '../helpers/reference.js';
import { tempDir } from '../helpers/tmp.js';

const SECRET = 'test-secret-key';

/** pydicom's reading of an output file: each attribute's VR, byte length and value, top level and nested. */
const DUMP = `
import json, sys, pydicom
d = pydicom.dcmread(sys.argv[1])
def val(e):
    if e.VR == 'SQ':
        return [{'name': str(i.get('PatientName', '')), 'uid': str(i.get('ReferencedSOPInstanceUID', ''))} for i in e.value]
    if e.VR in ('OB', 'OW', 'UN'):
        return e.value.decode('latin1') if e.value else ''
    if e.value is None: return ''
    if e.VM > 1: return '\\\\'.join(str(x) for x in e.value)
    return str(e.value)
def dump(ds):
    return {'%08X' % e.tag: {'vr': e.VR, 'value': val(e)} for e in ds}
container = d[sys.argv[2]].value[0] if sys.argv[2] in d else None
print(json.dumps({'top': dump(d), 'nested': dump(container) if container is not None else None,
  'meta_sop': d.file_meta.MediaStorageSOPInstanceUID,
  'codes': [c.CodeValue for c in d.DeidentificationMethodCodeSequence]}))
`;

interface Dumped {
  top: Record<string, { vr: string; value: unknown }>;
  nested: Record<string, { vr: string; value: unknown }> | null;
  meta_sop: string;
  codes: string[];
}

function dump(path: string, container: string): Dumped {
  const r = spawnSync(SYSTEM_PYTHON, ['-c', DUMP, path, container], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Dumped;
}

/** Checks every table attribute of one dataset level against its resolved action. */
function checkLevel(
  got: Record<string, { vr: string; value: unknown }>,
  corpus: Map<string, { vr: string; text: string }>,
  options: DeidOptions,
  level: string,
): Record<Action, number> {
  const { keys } = activeOptions(options);
  const seen: Record<Action, number> = { D: 0, Z: 0, X: 0, K: 0, C: 0, U: 0 };
  for (const row of ROWS) {
    const original = corpus.get(row.tag);
    if (!original) continue;
    let action = resolveAction(row, keys);
    const where = `${level} ${row.tag} ${row.name} (${row.basic}${Object.keys(row.options).length ? ` ${JSON.stringify(row.options)}` : ''} → ${action})`;
    const out = got[row.tag];
    if (row.tag === '00100010' && options.patientName !== undefined) {
      assert.equal(out?.value, options.patientName, where);
      continue;
    }
    if (action === 'C' && original.vr === 'TM') action = 'K';
    seen[action]++;
    switch (action) {
      case 'X':
        assert.equal(out, undefined, where);
        break;
      case 'Z':
        assert.ok(out, where);
        assert.ok(
          out.value === '' || (Array.isArray(out.value) && out.value.length === 0),
          `${where}: ${JSON.stringify(out.value)}`,
        );
        break;
      case 'D':
        assert.ok(out, where);
        if (original.vr === 'SQ') assert.deepEqual(out.value, [], where);
        else {
          assert.notEqual(out.value, '', where);
          assert.notEqual(out.value, original.text, where);
        }
        break;
      case 'U':
        assert.ok(out, where);
        if (original.vr === 'SQ') {
          const [name, uid] = original.text.split('|');
          assert.deepEqual(out.value, [{ name: '', uid: derivedUid(SECRET, uid!) }], where);
          assert.notEqual(name, '');
        } else assert.equal(out.value, derivedUid(SECRET, original.text), where);
        break;
      case 'K':
        assert.ok(out, where);
        if (original.vr === 'SQ')
          assert.equal((out.value as { uid: string }[])[0]!.uid, original.text.split('|')[1], where);
        else assert.equal(String(out.value).replace(/!+$/, ''), original.text, where);
        break;
      case 'C':
        if (original.vr === 'SQ') {
          assert.ok(out, where);
          break;
        }
        if (['OB', 'OW', 'UN', 'UR', 'US'].includes(original.vr)) {
          assert.equal(out, undefined, where);
          break;
        }
        assert.ok(out, where);
        if (options.shiftDates !== undefined && (original.vr === 'DA' || original.vr === 'DT')) {
          const d = original.text.slice(0, 8);
          const t =
            Date.UTC(Number(d.slice(0, 4)), Number(d.slice(4, 6)) - 1, Number(d.slice(6, 8))) +
            options.shiftDates * 86400000;
          const shifted = new Date(t).toISOString().slice(0, 10).replace(/-/g, '');
          assert.equal(out.value, shifted + original.text.slice(8), where);
        } else {
          // cleaned: the identifying words and dates are gone, the rest kept
          assert.doesNotMatch(String(out.value), /Fam\d{3}|2001-02-03/, where);
          if (['LO', 'LT', 'ST', 'UT', 'UC'].includes(original.vr))
            assert.match(String(out.value), /Text\d{3} about \*\*\*/, where);
        }
        break;
    }
  }
  return seen;
}

async function deidentified(options: DeidOptions): Promise<{ corpus: Corpus; out: string; bytes: Buffer }> {
  const dir = tempDir();
  const corpus = writeCorpus(join(dir, 'in.dcm'));
  const out = join(dir, 'out.dcm');
  await deidentify(join(dir, 'in.dcm'), out, { secret: SECRET, ...options });
  return { corpus, out, bytes: readFileSync(out) };
}

referenceTest(
  'Basic Profile: Table E.1-1 applied attribute by attribute, at the top level and in a nested item',
  hasPythonModules('pydicom'),
  'python3-pydicom',
  async () => {
    const { corpus, out, bytes } = await deidentified({});
    const got = dump(out, corpus.container);
    const top = checkLevel(got.top, corpus.values, {}, 'top');
    const nested = checkLevel(got.nested!, corpus.nested, {}, 'nested');
    // the corpus exercises every kind of action the Basic Profile has
    for (const seen of [top, nested])
      for (const a of ['X', 'Z', 'D', 'U'] as const) assert.ok(seen[a] > 10, `${a}: ${seen[a]}`);
    assert.equal(got.top['00120062']!.value, 'YES');
    assert.deepEqual(got.codes, ['113100']);
    assert.equal(got.top['00280303']!.value, 'REMOVED');
    assert.equal(got.meta_sop, got.top['00080018']!.value);
    // private attributes, curves and overlays are gone
    for (const tag of ['00090010', '00091001', '00190010', '00191023', '50003000', '60003000', '60004000'])
      assert.equal(got.top[tag], undefined, tag);
    // nothing identifying survives anywhere in the file
    const text = bytes.toString('latin1');
    const found = corpus.secrets.filter((s) => s.length >= 4 && text.includes(s));
    assert.deepEqual(found, []);
  },
);

referenceTest(
  'every option at once: UIDs, full dates, device, institution, patient characteristics, safe private kept; descriptions and SR content cleaned',
  hasPythonModules('pydicom'),
  'python3-pydicom',
  async () => {
    const options: DeidOptions = {
      retainUids: true,
      retainDates: true,
      retainDevice: true,
      retainInstitution: true,
      retainPatientCharacteristics: true,
      retainSafePrivate: true,
      cleanDescriptions: true,
      cleanStructuredContent: true,
      patientName: 'STUDY^SUBJECT-07',
    };
    const { corpus, out } = await deidentified(options);
    const got = dump(out, corpus.container);
    const seen = checkLevel(got.top, corpus.values, options, 'top');
    checkLevel(got.nested!, corpus.nested, options, 'nested');
    assert.ok(seen.K > 200 && seen.C > 50, JSON.stringify(seen));
    assert.deepEqual(got.codes, [
      '113100',
      '113104',
      '113105',
      '113106',
      '113108',
      '113109',
      '113110',
      '113111',
      '113112',
    ]);
    assert.equal(got.top['00280303']!.value, 'UNMODIFIED');
    // the safe-list GE attribute and its creator stay; the unsafe ones go
    assert.equal(got.top['00190010']!.value, 'GEMS_ACQU_01');
    assert.equal(got.top['00191023']!.value, '12.5');
    assert.equal(got.top['00191099'], undefined);
    assert.equal(got.top['00090010'], undefined);
  },
);

referenceTest(
  'Modified Dates: dates shifted by whole days, times kept',
  hasPythonModules('pydicom'),
  'python3-pydicom',
  async () => {
    const options: DeidOptions = { shiftDates: -400 };
    const { corpus, out } = await deidentified(options);
    const got = dump(out, corpus.container);
    const seen = checkLevel(got.top, corpus.values, options, 'top');
    assert.ok(seen.C > 50);
    assert.equal(got.top['00280303']!.value, 'MODIFIED');
    assert.deepEqual(got.codes, ['113100', '113107']);
  },
);

test('pixel data byte-identical; one study keeps one mapped UID; the same secret maps the same way in another run', async () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'in'));
  writeCorpus(join(dir, 'in', 'a.dcm'));
  mkdirSync(join(dir, 'in', 'sub'));
  writeCorpus(join(dir, 'in', 'sub', 'b.dcm'), 2);
  const source = readFileSync(join(dir, 'in', 'a.dcm'));
  const pixels = (bytes: Uint8Array) => {
    const ds = dicomParser.parseDicom(bytes);
    const el = ds.elements.x7fe00010!;
    return Buffer.from(bytes.subarray(el.dataOffset, el.dataOffset + el.length));
  };
  const first = await deidentify(join(dir, 'in'), join(dir, 'out1'), { secret: SECRET });
  const again = await deidentify(join(dir, 'in'), join(dir, 'out2'), { secret: SECRET });
  const other = await deidentify(join(dir, 'in'), join(dir, 'out3'), { secret: 'another' });
  const [a, b, c] = [first, again, other].map((s) => readFileSync(s.written[0]!.output));
  assert.deepEqual(pixels(a!), pixels(source));
  assert.deepEqual(a, b, 'same secret, same bytes');
  assert.notDeepEqual(a, c);
  // named by the new study, series and instance UIDs: both files in one series folder, two instances
  assert.equal(first.written[0]!.output, again.written[0]!.output.replace('out2', 'out1'));
  const folders = first.written.map((w) => w.output.split('/').slice(-3, -1).join('/'));
  assert.equal(folders[0], folders[1]);
  assert.notEqual(first.written[0]!.output, first.written[1]!.output);
  const frames = first.written.map((w) => dicomParser.parseDicom(readFileSync(w.output)).string('x00200052'));
  assert.equal(frames[0], frames[1]);
  assert.equal(first.repeatable, true);
  const random = await deidentify(join(dir, 'in'), join(dir, 'out4'));
  assert.equal(random.repeatable, false);
});

test('refusals: output inside the input, the input inside the output, a missing input; nothing written', async () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'in'));
  writeCorpus(join(dir, 'in', 'a.dcm'));
  await assert.rejects(deidentify(join(dir, 'in'), join(dir, 'in', 'anon')), /inside the input/);
  await assert.rejects(deidentify(join(dir, 'in'), join(dir, 'in')), /inside the input/);
  await assert.rejects(deidentify(join(dir, 'in'), dir), /is inside the output/);
  await assert.rejects(deidentify(join(dir, 'nope'), join(dir, 'out')), /no such file or folder/);
  await assert.rejects(
    deidentify(join(dir, 'in'), join(dir, 'out'), { retainDates: true, shiftDates: 3 }),
    /choose one/,
  );
  assert.deepEqual(readdirSync(join(dir, 'in')), ['a.dcm']);
  assert.equal(existsSync(join(dir, 'out')), false);
  const cli = runCli(['deid', join(dir, 'in'), join(dir, 'in', 'x')]);
  assert.equal(cli.status, 1);
  assert.match(cli.stderr, /^vesalius: OUT: .* is inside the input .*\n$/);
});

test(
  'real files of every transfer syntax: readable, pixel data identical, the patient gone',
  skipUnlessData('dicom-samples'),
  async () => {
    const root = sharedData('dicom-samples')!;
    const files = [
      'transfer-syntax/pydicom-misc/CT_small.dcm',
      'transfer-syntax/pydicom-misc/image_dfl.dcm',
      'transfer-syntax/pydicom-MR_small/MR_small_bigendian.dcm',
      'transfer-syntax/pydicom-MR_small/MR_small_implicit.dcm',
      'transfer-syntax/pydicom-MR_small/MR_small_jp2klossless.dcm',
      'transfer-syntax/dcm_qa_ts/In/4.dcm',
      'multiframe/cornerstone-CT0012/IM00001.fragmented_no_bot_jpeg_baseline.50.dcm',
      'multiframe/pydicom-data/emri_small_big_endian.dcm',
      'seg-sr/pydicom/test-SR.dcm',
    ];
    for (const f of files) {
      const dir = tempDir();
      const summary = await deidentify(join(root, f), join(dir, 'out.dcm'), { secret: SECRET });
      const input = readFileSync(join(root, f));
      const output = readFileSync(join(dir, 'out.dcm'));
      const inflate = (b: Buffer) =>
        dicomParser.parseDicom(b, {
          inflater: (a: Uint8Array, p: number) => {
            const body = inflateRawSync(a.subarray(p));
            const full = new Uint8Array(p + body.length);
            full.set(a.subarray(0, p));
            full.set(body, p);
            return full;
          },
        } as never);
      const before = inflate(input);
      const after = inflate(output);
      const name = before.string('x00100010');
      if (name) assert.ok(!output.toString('latin1').includes(name), `${f}: patient name left`);
      const px = (ds: dicomParser.DataSet) => {
        const el = ds.elements.x7fe00010;
        if (!el) return undefined;
        const bytes = (ds as unknown as { byteArray: Uint8Array }).byteArray;
        if (el.fragments)
          return Buffer.concat(
            el.fragments.map((fr) => Buffer.from(bytes.subarray(fr.position, fr.position + fr.length))),
          );
        return Buffer.from(bytes.subarray(el.dataOffset, el.dataOffset + el.length));
      };
      assert.deepEqual(px(after), px(before), `${f}: pixel data`);
      if (f.includes('IM00001')) assert.match(summary.burnedIn[0]!.reason, /ultrasound/);
    }
  },
);

test(
  'a real series de-identified reads back as the same image (voxels and geometry), with new UIDs',
  skipUnlessData('dicom-samples', 'series'),
  async () => {
    const { readDicom } = await import('../../src/io/dicom/index.js');
    const series = join(sharedData('dicom-samples', 'series')!, 'papaya-ge-mr-pd-oblique-20slices');
    const out = join(tempDir(), 'anon');
    const summary = await deidentify(series, out, { secret: SECRET });
    assert.equal(summary.written.length, 20);
    const [before, after] = [await readDicom(series), await readDicom(out)];
    assert.deepEqual(after.shape, before.shape);
    assert.deepEqual(after.direction, before.direction);
    assert.deepEqual(after.origin, before.origin);
    assert.deepEqual(after.data, before.data);
    assert.notEqual(after.meta.seriesInstanceUid, before.meta.seriesInstanceUid);
    assert.equal(after.meta.seriesInstanceUid, derivedUid(SECRET, String(before.meta.seriesInstanceUid)));
  },
);

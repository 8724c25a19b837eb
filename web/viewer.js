// The Vesalius viewer: NiiVue with the job's image, its prediction in the drawing layer (so painting
// corrects it), the foreground probability map, the findings table linked to the slices, and saving
// the corrected label back to the server. Plain ES module, no bundler. The API key stays in this
// tab's sessionStorage and goes only into Authorization headers; `#key=` in the URL sets it once.
import { MULTIPLANAR_TYPE, NVImage, Niivue, SHOW_RENDER } from './vendor/niivue.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const server = (params.get('server') ?? '').replace(/\/+$/, '');
const state = { key: '', job: null, result: null };

function status(text) {
  $('status').textContent = text;
}

function readKey() {
  const hash = new URLSearchParams(location.hash.slice(1));
  if (hash.get('key')) {
    sessionStorage.setItem('vesalius-key', hash.get('key'));
    history.replaceState(null, '', location.pathname + location.search);
  }
  state.key = sessionStorage.getItem('vesalius-key') ?? '';
  $('key').value = state.key ? '••••••••' : '';
}

const auth = () => ({ authorization: `Bearer ${state.key}` });

async function api(path, init = {}) {
  const res = await fetch(server + path, { ...init, headers: { ...(init.headers ?? {}), ...auth() } });
  if (!res.ok) {
    const body = await res.json().catch(() => ({}));
    throw new Error(`${res.status}: ${body.message ?? res.statusText}`);
  }
  return res;
}

const json = async (path, init) => (await api(path, init)).json();
const fileUrl = (id, name) => `${server}/api/jobs/${id}/files/${name}`;

const nv = new Niivue({
  backColor: [0.08, 0.08, 0.1, 1],
  show3Dcrosshair: true,
  logLevel: 'warn',
  dragAndDropEnabled: false,
  isColorbar: false,
  // three planes and a 3D render, in a grid
  multiplanarShowRender: SHOW_RENDER.ALWAYS,
});
await nv.attachToCanvas($('gl'));
nv.setSliceType(nv.sliceTypeMultiplanar);
nv.setMultiplanarLayout(MULTIPLANAR_TYPE.GRID);
nv.setCrosshairColor([1, 1, 0, 0.5]);
nv.setCrosshairWidth(0.5);

function labelColour(k) {
  const lut = nv.drawLut?.lut;
  if (!lut) return '#888';
  return `rgb(${lut[k * 4]}, ${lut[k * 4 + 1]}, ${lut[k * 4 + 2]})`;
}

function showLegend(classes) {
  $('legend').innerHTML = '';
  $('pen').innerHTML = '';
  classes.forEach((name, k) => {
    const item = document.createElement('div');
    item.innerHTML = `<span class="swatch"></span>`;
    item.firstChild.style.background = k === 0 ? 'transparent' : labelColour(k);
    item.append(`${k} ${name}`);
    $('legend').append(item);
    const option = document.createElement('option');
    option.value = String(k);
    option.textContent = k === 0 ? `${name} (erase)` : name;
    $('pen').append(option);
  });
  $('pen').value = classes.length > 1 ? '1' : '0';
}

function showFindings(result) {
  const body = $('findings').querySelector('tbody');
  body.innerHTML = '';
  const unit = result.findings.unit === 'mm2' ? 'mm²' : 'mm³';
  for (const f of result.findings.findings) {
    const row = document.createElement('tr');
    for (const text of [f.label, `${f.volume.toFixed(1)} ${unit}`, f.meanProbability.toFixed(2)]) {
      const cell = document.createElement('td');
      cell.textContent = text;
      row.append(cell);
    }
    // LPS millimetres to NiiVue's RAS
    row.addEventListener('click', () => {
      const [x, y, z] = f.centroidMm;
      nv.scene.crosshairPos = nv.mm2frac([-x, -y, z]);
      nv.updateGLVolume();
    });
    body.append(row);
  }
  $('warnings').innerHTML = '';
  for (const w of result.warnings) {
    const div = document.createElement('div');
    div.className = 'warning';
    div.textContent = `⚠ ${w.message}`;
    $('warnings').append(div);
  }
  const u = result.uncertainty;
  $('uncertainty').textContent =
    `entropy ${u.entropy.toFixed(3)} · mirror disagreement ${(100 * u.mirrorDisagreement).toFixed(1)}% (${u.members} members, ${u.roiVoxels} voxels in region)`;
}

async function waitFor(id) {
  for (;;) {
    const s = await json(`/api/jobs/${id}`);
    if (s.state === 'completed') return s;
    if (s.state === 'failed' || s.state === 'cancelled') throw new Error(`job ${s.state}: ${s.error ?? ''}`);
    status(`job ${s.state}${s.progress ? ` — ${s.progress.stage} ${Math.round(100 * s.progress.fraction)}%` : ''}`);
    await new Promise((r) => setTimeout(r, 700));
  }
}

async function openJob(id) {
  document.body.dataset.ready = 'false';
  state.job = id;
  const job = await waitFor(id);
  const result = await json(`/api/jobs/${id}/result`);
  state.result = result;
  const headers = auth();
  await nv.loadVolumes([
    { url: fileUrl(id, 'input_0000.nii.gz'), headers, name: 'input_0000.nii.gz' },
    {
      url: fileUrl(id, 'foreground.nii.gz'),
      headers,
      name: 'foreground.nii.gz',
      colormap: 'warm',
      cal_min: 0.05,
      cal_max: 1,
      opacity: $('show-probability').checked ? Number($('probability-opacity').value) : 0,
    },
  ]);
  const labels = await NVImage.loadFromUrl({ url: fileUrl(id, 'labels.nii.gz'), headers, name: 'labels.nii.gz' });
  nv.loadDrawing(labels);
  nv.setDrawOpacity(Number($('label-opacity').value));
  // a 2D image shows as one plane, a volume as three
  nv.setSliceType(result.shape[2] > 1 ? nv.sliceTypeMultiplanar : nv.sliceTypeAxial);
  showLegend(result.classes);
  showFindings(result);
  $('correction').textContent = job.correction ? `saved by ${job.correction.by} at ${job.correction.at}` : '';
  status(`job ${id.slice(0, 8)} · ${result.model} · ${result.shape.slice(0, 3).join('×')}`);
  document.body.dataset.job = id;
  document.body.dataset.ready = 'true';
}

/** Reads the saved correction back from the server into the drawing layer. */
async function loadSavedCorrection(id) {
  const url = `${server}/api/jobs/${id}/correction`;
  const image = await NVImage.loadFromUrl({ url, headers: auth(), name: 'correction.nii.gz' });
  nv.loadDrawing(image);
  nv.setDrawOpacity(Number($('label-opacity').value));
}

async function saveCorrection() {
  if (!state.job) return;
  const bytes = await nv.saveImage({ filename: '', isSaveDrawing: true });
  const saved = await json(`/api/jobs/${state.job}/correction`, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream' },
    body: bytes,
  });
  await loadSavedCorrection(state.job);
  $('correction').textContent = `saved by ${saved.by} at ${saved.at}`;
  status(`correction saved: ${saved.changedVoxels} voxel(s) changed`);
  document.body.dataset.saved = String(saved.changedVoxels);
  return saved;
}

async function refreshLists() {
  const jobs = await json('/api/jobs');
  const select = $('jobs');
  select.innerHTML = '<option value="">— jobs —</option>';
  for (const j of jobs) {
    const option = document.createElement('option');
    option.value = j.id;
    option.textContent = `${j.createdAt.slice(5, 16).replace('T', ' ')} ${j.model} ${j.state}`;
    select.append(option);
  }
  const models = await json('/api/models');
  $('models').innerHTML = '';
  for (const m of models) {
    const option = document.createElement('option');
    option.value = m.name;
    option.textContent = m.name;
    $('models').append(option);
  }
  const worklist = await json('/api/worklist');
  $('worklist-box').hidden = worklist.cases.length === 0;
  $('worklist').innerHTML = '';
  for (const c of worklist.cases) {
    const item = document.createElement('li');
    item.textContent = `${c.id} (${c.score.toFixed(2)})${c.corrected ? ' ✓' : c.state ? ` ${c.state}` : ''}`;
    item.addEventListener('click', async () => {
      const id = c.job ?? (await json(`/api/worklist/${c.rank}/jobs`, { method: 'POST' })).id;
      await openJob(id);
    });
    $('worklist').append(item);
  }
}

function report(err) {
  status(err.message);
}

$('key-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const value = $('key').value.trim();
  if (value && !value.startsWith('•')) {
    state.key = value;
    sessionStorage.setItem('vesalius-key', value);
    $('key').value = '••••••••';
  }
  refreshLists().then(() => status('connected'), report);
});
$('jobs').addEventListener('change', () => $('jobs').value && openJob($('jobs').value).catch(report));
$('upload-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const form = new FormData();
  for (const file of $('file').files) form.append('file', file, file.name);
  try {
    const job = await json(`/api/jobs?model=${encodeURIComponent($('models').value)}`, { method: 'POST', body: form });
    await openJob(job.id);
    await refreshLists();
  } catch (err) {
    report(err);
  }
});
for (const button of $('slice-types').querySelectorAll('button'))
  button.addEventListener('click', () => nv.setSliceType(Number(button.dataset.slice)));
$('label-opacity').addEventListener('input', () => nv.setDrawOpacity(Number($('label-opacity').value)));
const probability = () =>
  nv.volumes[1] && nv.setOpacity(1, $('show-probability').checked ? Number($('probability-opacity').value) : 0);
$('show-probability').addEventListener('change', probability);
$('probability-opacity').addEventListener('input', probability);
$('draw').addEventListener('change', () => {
  nv.setDrawingEnabled($('draw').checked);
  nv.setPenValue(Number($('pen').value), false);
});
$('pen').addEventListener('change', () => nv.setPenValue(Number($('pen').value), false));
$('undo').addEventListener('click', () => nv.drawUndo());
$('save').addEventListener('click', () => saveCorrection().catch(report));

readKey();
window.vesalius = { nv, openJob, saveCorrection, state };
if (state.key) {
  refreshLists().catch(report);
  if (params.get('job')) openJob(params.get('job')).catch(report);
}

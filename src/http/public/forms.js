// Visitor registration (with the pass QR, its health-pass id taken from a scan
// at a lane) and passage search (with CSV export).
import { api, download } from './api.js';
import { formatTime, isUrgentReason, label, language, reasonList, t } from './i18n.js';
import { placeName } from './lanes.js';
import { el, toast } from './ui.js';

/** How long the form waits for the visitor's scan; the server serves a scan for a minute too. */
const SCAN_WAIT_MS = 60_000;
let scan;
let scanLanes = [];

/** The lanes to scan at, named in the current language (kept selected across a switch). */
function laneOptions() {
  const select = document.getElementById('scan-lane');
  const chosen = select.value;
  select.replaceChildren(...scanLanes.map((lane) => el('option', { value: `${lane.gate}/${lane.lane}` }, placeName(lane.gate, lane.lane))));
  if (chosen) select.value = chosen;
}

export function setupVisitorForm(lanes) {
  const form = document.getElementById('visitor-form');
  scanLanes = lanes;
  const select = document.getElementById('scan-lane');
  laneOptions();
  document.getElementById('scan-start').addEventListener('click', () => armScan(select.value));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const body = {
      subject: data.get('subject').trim(),
      hostHousehold: data.get('hostHousehold').trim(),
      validUntil: new Date(Date.now() + Number(data.get('hours')) * 3_600_000).toISOString(),
    };
    const plate = data.get('plate').trim();
    if (plate) body.plate = plate;
    try {
      const pass = await api('POST', '/api/visitors', body);
      document.getElementById('visitor-qr').src = pass.qrSvg;
      document.getElementById('visitor-pass-id').textContent = pass.passId;
      document.getElementById('visitor-pass-host').textContent = pass.hostHousehold + (pass.plate ? ` · ${pass.plate}` : '');
      document.getElementById('visitor-pass-until').textContent = formatTime(pass.validUntil);
      document.getElementById('visitor-pass').hidden = false;
      // The health-pass id is personal data: it leaves the form once the pass is issued.
      form.elements.subject.value = '';
      toast(() => t('passIssued'), 'ok');
    } catch (error) {
      toast(error.message, 'error');
    }
  });
  document.getElementById('print-pass').addEventListener('click', () => window.print());
}

function scanStatus(key, vars) {
  const status = document.getElementById('scan-status');
  status.dataset.key = key;
  status.textContent = key ? t(key, vars) : '';
}

/** Waits for the next passage at the lane (live feed), then asks the gateway for its health-pass subject. */
function armScan(laneId) {
  const [gate, lane] = laneId.split('/');
  clearTimeout(scan?.timer);
  scan = { gate, lane, since: Date.now(), timer: setTimeout(() => ((scan = undefined), scanStatus('scanTimeout')), SCAN_WAIT_MS) };
  scanStatus('scanWaiting', { lane: placeName(gate, lane) });
}

/** Every passage from the live feed; only the one the armed scan waits for is used. */
export async function scannedPassage(passage) {
  if (!scan || passage.gate !== scan.gate || passage.lane !== scan.lane || Date.parse(passage.at) < scan.since - 1000) return;
  const { gate, lane } = scan;
  clearTimeout(scan.timer);
  scan = undefined;
  const where = { lane: placeName(gate, lane) };
  if (passage.credential !== 'health-pass') return scanStatus('scanNoPass', where);
  try {
    const found = await api('GET', `/api/lanes/${gate}/${lane}/scanned-pass?passageId=${encodeURIComponent(passage.id)}`);
    document.getElementById('visitor-form').elements.subject.value = found.subject;
    scanStatus('scanFilled', where);
  } catch (error) {
    scanStatus('');
    toast(error.message, 'error');
  }
}

export function refreshScanStatus() {
  const status = document.getElementById('scan-status');
  if (!status) return;
  laneOptions();
  if (status.dataset.key) status.textContent = t(status.dataset.key, { lane: scan ? placeName(scan.gate, scan.lane) : '' });
}

let nextCursor = null;
let shown = null;

function query(cursor) {
  const data = new FormData(document.getElementById('passage-form'));
  const params = new URLSearchParams();
  for (const key of ['gate', 'verdict']) if (data.get(key)) params.set(key, data.get(key));
  for (const key of ['from', 'to']) if (data.get(key)) params.set(key, new Date(data.get(key)).toISOString());
  if (cursor) params.set('cursor', cursor);
  return params;
}

async function search(append) {
  try {
    const page = await api('GET', `/api/passages?${query(append ? nextCursor : null)}`);
    nextCursor = page.nextCursor;
    shown = append && shown ? [...shown, ...page.items] : page.items;
    renderPassages();
    document.getElementById('passage-more').hidden = nextCursor === null;
  } catch (error) {
    toast(error.message, 'error');
  }
}

/** Draws the rows searched so far; called again on a language switch. */
export function renderPassages() {
  if (shown === null) return;
  const rows = shown.map((p) =>
    el(
      'tr',
      { class: `verdict-${p.verdict} ${p.reasons.some(isUrgentReason) ? 'urgent' : ''}`, 'data-testid': 'passage-row', 'data-verdict': p.verdict },
      el('td', {}, formatTime(p.at)),
      el('td', {}, placeName(p.gate, p.lane)),
      el('td', {}, t(p.direction)),
      el('td', {}, label('verdicts', p.verdict)),
      el('td', {}, reasonList(p.reasons)),
      el('td', {}, p.temperatureC === null ? '' : `${p.temperatureC.toFixed(1)} °C`),
    ),
  );
  document.getElementById('passages').replaceChildren(...(rows.length > 0 ? rows : [el('tr', {}, el('td', { colspan: 6 }, t('noRows')))]));
}

export function setupPassageSearch(gates) {
  const select = document.getElementById('passage-gate');
  for (const gate of gates) select.append(el('option', { value: gate.id }, gate.name));
  document.getElementById('passage-form').addEventListener('submit', (event) => {
    event.preventDefault();
    search(false);
  });
  document.getElementById('passage-more').addEventListener('click', () => search(true));
  document.getElementById('passage-csv').addEventListener('click', () => {
    const params = query(null);
    params.set('lang', language());
    // A byte order mark lets Excel read the Chinese reason texts as UTF-8.
    params.set('bom', '1');
    download(`/api/passages.csv?${params}`, 'passages.csv').catch((error) => toast(error.message, 'error'));
  });
}

// Visitor registration (with the pass QR) and passage search (with CSV export).
import { api, download } from './api.js';
import { formatTime, isUrgentReason, label, t } from './i18n.js';
import { el, toast } from './ui.js';

export function setupVisitorForm() {
  const form = document.getElementById('visitor-form');
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
      toast(t('passIssued'), 'ok');
    } catch (error) {
      toast(error.message, 'error');
    }
  });
  document.getElementById('print-pass').addEventListener('click', () => window.print());
}

let nextCursor = null;

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
    const rows = page.items.map((p) =>
      el(
        'tr',
        { class: `verdict-${p.verdict} ${p.reasons.some(isUrgentReason) ? 'urgent' : ''}`, 'data-testid': 'passage-row' },
        el('td', {}, formatTime(p.at)),
        el('td', {}, `${p.gate} / ${p.lane}`),
        el('td', {}, t(p.direction)),
        el('td', {}, label('verdicts', p.verdict)),
        el('td', {}, p.reasons.map((code) => label('reasons', code)).join('，')),
        el('td', {}, p.temperatureC === null ? '' : `${p.temperatureC.toFixed(1)} °C`),
      ),
    );
    const body = document.getElementById('passages');
    if (append) body.append(...rows);
    else body.replaceChildren(...(rows.length > 0 ? rows : [el('tr', {}, el('td', { colspan: 6 }, t('noRows')))]));
    document.getElementById('passage-more').hidden = nextCursor === null;
  } catch (error) {
    toast(error.message, 'error');
  }
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
    download(`/api/passages.csv?${params}`, 'passages.csv').catch((error) => toast(error.message, 'error'));
  });
}

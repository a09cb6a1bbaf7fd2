// Exit passes (estate plan, rule 4): the approver issues them; the approver,
// managers and auditors follow them (issued, out, returned, revoked).
import { api } from './api.js';
import { formatTime, t } from './i18n.js';
import { el, toast } from './ui.js';

let passes = null;

function state(pass) {
  if (pass.revokedAt) return t('revoked');
  if (pass.returnedAt) return t('returned');
  if (pass.leftAt) return t('left');
  return t('issued');
}

export async function loadExitPasses() {
  try {
    passes = await api('GET', '/api/exit-passes?limit=100');
    renderExitPasses();
  } catch (error) {
    toast(error.message, 'error');
  }
}

export function renderExitPasses() {
  if (passes === null) return;
  const rows = passes.map((pass) =>
    el('tr', { 'data-testid': 'exit-pass-row' }, el('td', {}, pass.passId), el('td', {}, pass.household ?? ''), el('td', {}, pass.reason), el('td', {}, formatTime(pass.returnBy)), el('td', {}, state(pass))),
  );
  document.getElementById('exit-passes').replaceChildren(...(rows.length > 0 ? rows : [el('tr', {}, el('td', { colspan: 5 }, t('noRows')))]));
}

export function setupExitPassForm() {
  const form = document.getElementById('exit-pass-form');
  if (!form) return;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const body = { subject: data.get('subject').trim(), reason: data.get('reason').trim(), returnBy: new Date(Date.now() + Number(data.get('hours')) * 3_600_000).toISOString() };
    const household = data.get('household').trim();
    if (household) body.household = household;
    try {
      const pass = await api('POST', '/api/exit-passes', body);
      form.reset();
      toast(() => t('exitIssued', { id: pass.passId }), 'ok');
      await loadExitPasses();
    } catch (error) {
      toast(error.message, 'error');
    }
  });
}

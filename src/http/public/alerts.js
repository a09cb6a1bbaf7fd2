// Alerts: the live feed beside the lanes, the full list with acknowledgement,
// and the sound and colour of a fever or suspected case.
import { api } from './api.js';
import { formatTime, isUrgentAlert, label, t } from './i18n.js';
import { beep, el, toast } from './ui.js';

const alerts = new Map();

export function setAlerts(list) {
  alerts.clear();
  for (const alert of list) alerts.set(alert.id, alert);
  render();
}

/** An alert from the live stream: new ones beep when urgent; updates (an ack) replace the row. */
export function receiveAlert(alert) {
  const known = alerts.has(alert.id);
  alerts.set(alert.id, alert);
  if (!known && isUrgentAlert(alert.type) && !alert.ackedAt) beep();
  render();
}

export function render() {
  const sorted = [...alerts.values()].sort((a, b) => b.at.localeCompare(a.at));
  const open = sorted.filter((alert) => !alert.ackedAt);
  const count = document.getElementById('alert-count');
  count.textContent = open.length > 0 ? String(open.length) : '';
  count.classList.toggle('urgent', open.some((alert) => isUrgentAlert(alert.type)));
  document.getElementById('feed').replaceChildren(...open.slice(0, 12).map(feedItem));
  const onlyOpen = document.getElementById('alerts-unacked').checked;
  const rows = (onlyOpen ? open : sorted).map(row);
  document.getElementById('alerts').replaceChildren(...(rows.length > 0 ? rows : [el('tr', {}, el('td', { colspan: 6 }, t('noRows')))]));
}

function where(alert) {
  return [alert.gate, alert.lane].filter(Boolean).join(' / ');
}

function details(alert) {
  return Object.entries(alert.details)
    .filter(([, value]) => value !== null)
    .map(([key, value]) => `${key}: ${value}`)
    .join(', ');
}

function feedItem(alert) {
  return el(
    'li',
    { class: `alert sev-${alert.severity} ${isUrgentAlert(alert.type) ? 'urgent' : ''}`, 'data-testid': `feed-${alert.type}`, 'data-id': alert.id },
    el('strong', {}, label('alerts', alert.type)),
    ' ',
    el('span', {}, where(alert)),
    el('small', {}, formatTime(alert.at)),
    el('div', {}, alert.reasons.map((code) => label('reasons', code)).join('，'), alert.details.temperatureC ? ` · ${alert.details.temperatureC} °C` : ''),
    ackButton(alert),
  );
}

function row(alert) {
  return el(
    'tr',
    { class: `${isUrgentAlert(alert.type) ? 'urgent' : ''} ${alert.ackedAt ? 'acked' : ''}`, 'data-testid': `alert-row-${alert.type}`, 'data-id': alert.id },
    el('td', {}, formatTime(alert.at)),
    el('td', {}, label('alerts', alert.type)),
    el('td', {}, where(alert)),
    el('td', {}, alert.reasons.map((code) => label('reasons', code)).join('，')),
    el('td', {}, details(alert)),
    el('td', { 'data-testid': 'ack-cell' }, alert.ackedAt ? `${t('ackedBy')}${alert.ackedBy}` : ackButton(alert)),
  );
}

function ackButton(alert) {
  return el('button', { type: 'button', class: 'ack', 'data-testid': 'ack', onclick: () => acknowledge(alert.id) }, t('ack'));
}

async function acknowledge(id) {
  try {
    receiveAlert(await api('POST', `/api/alerts/${id}/ack`, {}));
  } catch (error) {
    toast(error.message, 'error');
  }
}

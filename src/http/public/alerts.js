// Alerts: the live feed beside the lanes, the full list with acknowledgement.
// Fever, suspected case, quarantine and lockdown breach and device faults come
// first and sound again every few seconds until acknowledged; the many
// low-severity code alerts are grouped with a count so they cannot push the
// urgent ones out of view.
import { api } from './api.js';
import { formatDetails, formatTime, isUrgentAlert, label, reasonList, t, urgentRank } from './i18n.js';
import { placeName } from './lanes.js';
import { beep, el, toast } from './ui.js';

/** How often an unacknowledged urgent alert sounds again. */
export const REPEAT_MS = 4000;
const FEED_ITEMS = 12;
const SEVERITY = { critical: 0, warning: 1, info: 2 };

const alerts = new Map();
let canAck = false;
let alarm;

export function setCanAck(allowed) {
  canAck = allowed;
}

export function setAlerts(list) {
  alerts.clear();
  for (const alert of list) alerts.set(alert.id, alert);
  render();
}

/** An alert from the live stream: a new urgent one sounds at once; updates (an ack) replace the row. */
export function receiveAlert(alert) {
  const known = alerts.has(alert.id);
  alerts.set(alert.id, alert);
  // With the alarm already on, the new alert still gets its own beep now; otherwise render starts the alarm with one.
  if (!known && isUrgentAlert(alert.type) && !alert.ackedAt && (alarm || !canAck)) beep();
  render();
}

/** Urgent types first (in the order labels.ts gives), then by severity, newest first within each. */
function byPriority(a, b) {
  return urgentRank(a.type) - urgentRank(b.type) || SEVERITY[a.severity] - SEVERITY[b.severity] || b.at.localeCompare(a.at);
}

/**
 * The alarm repeats while an urgent alert is open, and stops with the last acknowledgement: only for a role that
 * can acknowledge (an auditor's page could never silence it); others hear each new urgent alert once.
 */
function soundAlarm(open) {
  const urgent = canAck && open.some((alert) => isUrgentAlert(alert.type));
  if (urgent && !alarm) {
    beep();
    alarm = setInterval(beep, REPEAT_MS);
  }
  if (!urgent && alarm) {
    clearInterval(alarm);
    alarm = undefined;
  }
}

export function render() {
  const sorted = [...alerts.values()].sort(byPriority);
  const open = sorted.filter((alert) => !alert.ackedAt);
  soundAlarm(open);
  const count = document.getElementById('alert-count');
  count.textContent = open.length > 0 ? String(open.length) : '';
  count.classList.toggle('urgent', open.some((alert) => isUrgentAlert(alert.type)));
  document.getElementById('feed').replaceChildren(...feedItems(open));
  const onlyOpen = document.getElementById('alerts-unacked').checked;
  const rows = (onlyOpen ? open : sorted).map(row);
  document.getElementById('alerts').replaceChildren(...(rows.length > 0 ? rows : [el('tr', {}, el('td', { colspan: 6 }, t('noRows')))]));
}

/** Urgent and critical alerts one by one; the rest in groups of the same type and reasons, newest group first. */
function feedItems(open) {
  const single = open.filter((alert) => isUrgentAlert(alert.type) || alert.severity === 'critical');
  const groups = new Map();
  for (const alert of open) {
    if (single.includes(alert)) continue;
    const key = `${alert.type}|${alert.reasons.join(',')}`;
    const group = groups.get(key) ?? { type: alert.type, reasons: alert.reasons, items: [] };
    group.items.push(alert);
    groups.set(key, group);
  }
  return [...single.map(feedItem), ...[...groups.values()].map(groupItem)].slice(0, FEED_ITEMS);
}

function where(alert) {
  return placeName(alert.gate, alert.lane);
}

function feedItem(alert) {
  return el(
    'li',
    { class: `alert sev-${alert.severity} ${isUrgentAlert(alert.type) ? 'urgent' : ''}`, 'data-testid': `feed-${alert.type}`, 'data-id': alert.id },
    el('strong', {}, label('alerts', alert.type)),
    el('span', {}, where(alert)),
    el('small', {}, formatTime(alert.at)),
    el('div', {}, reasonList(alert.reasons), typeof alert.details.temperatureC === 'number' ? ` · ${alert.details.temperatureC.toFixed(1)} °C` : ''),
    canAck ? ackButton(() => acknowledge([alert.id]), t('ack')) : null,
  );
}

function groupItem(group) {
  const newest = group.items[0];
  return el(
    'li',
    { class: 'alert group', 'data-testid': `feed-group-${group.type}`, 'data-count': group.items.length },
    el('strong', {}, label('alerts', group.type), ' ', el('span', { class: 'count', 'data-testid': 'group-count' }, `×${group.items.length}`)),
    el('div', {}, reasonList(group.reasons)),
    el('small', {}, formatTime(newest.at), ' · ', where(newest)),
    canAck ? ackButton(() => acknowledge(group.items.map((alert) => alert.id)), t('ackAll')) : null,
  );
}

function row(alert) {
  return el(
    'tr',
    { class: `${isUrgentAlert(alert.type) ? 'urgent' : ''} ${alert.ackedAt ? 'acked' : ''}`, 'data-testid': `alert-row-${alert.type}`, 'data-id': alert.id },
    el('td', {}, formatTime(alert.at)),
    el('td', {}, label('alerts', alert.type)),
    el('td', {}, where(alert)),
    el('td', {}, reasonList(alert.reasons)),
    el('td', {}, formatDetails(alert.details, (device) => device)),
    el('td', { 'data-testid': 'ack-cell' }, alert.ackedAt ? `${t('ackedBy')}${alert.ackedBy}` : canAck ? ackButton(() => acknowledge([alert.id]), t('ack')) : ''),
  );
}

function ackButton(onclick, text) {
  return el('button', { type: 'button', class: 'ack', 'data-testid': 'ack', onclick }, text);
}

/** One call per alert, in order: a group holds at most the 100 alerts the page loaded plus the live ones. */
async function acknowledge(ids) {
  try {
    for (const id of ids) receiveAlert(await api('POST', `/api/alerts/${id}/ack`, {}));
  } catch (error) {
    toast(error.message, 'error');
  }
}

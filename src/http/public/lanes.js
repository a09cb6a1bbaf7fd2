// The lanes view: one card per lane, in the colour of its last verdict, with
// the verdict word and the temperature large enough to read from a metre,
// the reasons, today's counters and hourly chart, the devices; gate staff can
// release a lane by hand from here.
import { api } from './api.js';
import { hourlyChart } from './chart.js';
import { formatClock, isUrgentReason, label, t } from './i18n.js';
import { ask, el, toast } from './ui.js';

const lanes = new Map();
const gateNames = new Map();
let today = new Map();
let canRelease = false;

export function setGateNames(gates) {
  for (const gate of gates) gateNames.set(gate.id, gate.name);
}

export function setCanRelease(allowed) {
  canRelease = allowed;
}

/** "North gate · Lane p1": the gate's configured name and the lane's id. */
export function placeName(gate, lane) {
  const gateName = gate ? (gateNames.get(gate) ?? gate) : '';
  return [gateName, lane ? `${t('lane')} ${lane}` : ''].filter(Boolean).join(' · ');
}

export function setLanes(list) {
  lanes.clear();
  for (const lane of list) {
    lanes.set(lane.id, lane);
    if (!gateNames.has(lane.gate)) gateNames.set(lane.gate, lane.gateName);
  }
  render();
}

export function updateLane(lane) {
  lanes.set(lane.id, lane);
  render();
}

export function setToday(stats) {
  today = new Map(stats.lanes.map((day) => [`${day.gate}/${day.lane}`, day]));
  render();
}

export function render() {
  document.getElementById('lanes').replaceChildren(...[...lanes.values()].map(card));
}

function card(lane) {
  const last = lane.lastPassage;
  const waiting = lane.phase === 'awaiting-code';
  const urgent = last?.reasons.some(isUrgentReason);
  const colour = waiting ? 'phase-awaiting-code' : last ? `verdict-${last.verdict}` : '';
  return el(
    'article',
    { class: `lane ${colour} ${urgent ? 'urgent' : ''} mode-${lane.mode}`, 'data-testid': `lane-${lane.gate}-${lane.lane}`, 'data-phase': lane.phase },
    el(
      'header',
      {},
      el('h3', {}, placeName(lane.gate, lane.lane)),
      el('span', { class: 'badge' }, t(lane.direction)),
      el('span', { class: `badge phase-${lane.phase}`, 'data-testid': 'phase' }, label('phases', lane.phase)),
      lane.mode !== 'normal' ? el('span', { class: 'badge mode', 'data-testid': 'lane-mode' }, label('modes', lane.mode)) : null,
    ),
    waiting ? el('div', { class: 'big' }, el('div', { class: 'verdict', 'data-testid': 'verdict' }, label('phases', 'awaiting-code'))) : decision(lane, last, urgent),
    todayPanel(lane),
    el('ul', { class: 'devices', 'data-testid': 'devices' }, lane.devices.map((device) => el('li', { class: `dev ${device.availability}`, title: device.lastError?.code ?? '' }, `${label('devices', device.slot ?? device.role)}: ${t(device.availability)}`))),
    canRelease ? el('button', { type: 'button', class: 'release', 'data-testid': 'release', onclick: () => release(lane) }, t('release')) : null,
  );
}

function decision(lane, last, urgent) {
  if (!last) {
    return el('div', { class: 'decision empty' }, t('noDecision'), lane.lastReading ? el('div', { class: 'temp small' }, `${t('temperature')} ${lane.lastReading.celsius.toFixed(1)} °C`) : null);
  }
  const celsius = last.temperatureC ?? null;
  return el(
    'div',
    { class: 'decision', 'data-testid': 'last-decision' },
    el(
      'div',
      { class: 'big' },
      el('div', { class: 'verdict', 'data-testid': 'verdict' }, label('verdicts', last.verdict)),
      celsius !== null ? el('div', { class: `temp ${urgent ? 'urgent' : ''}`, 'data-testid': 'temperature' }, `${celsius.toFixed(1)} °C`) : null,
    ),
    el('div', { class: 'when' }, formatClock(last.at), lane.direction === 'both' ? el('span', { class: 'badge', 'data-testid': 'passage-direction' }, t(last.direction)) : null),
    el('ul', { class: 'reasons', 'data-testid': 'reasons' }, last.reasons.map((code) => el('li', { class: isUrgentReason(code) ? 'urgent' : '', title: code }, label('reasons', code)))),
  );
}

function todayPanel(lane) {
  const day = today.get(lane.id);
  if (!day) return null;
  const { passed, refused, fevers } = day.totals;
  return el(
    'div',
    { class: 'today', 'data-testid': 'today' },
    el(
      'div',
      { class: 'counters' },
      el('span', {}, t('today')),
      el('span', { class: 'key-passed', 'data-testid': 'count-passed' }, el('b', {}, String(passed)), ` ${t('passed')}`),
      el('span', { class: 'key-refused', 'data-testid': 'count-refused' }, el('b', {}, String(refused)), ` ${t('refused')}`),
      el('span', { class: 'key-fevers', 'data-testid': 'count-fevers' }, el('b', {}, String(fevers)), ` ${t('fevers')}`),
    ),
    hourlyChart(day.hours, t('chartTitle')),
  );
}

async function release(lane) {
  const reason = await ask(t('releaseTitle', { lane: placeName(lane.gate, lane.lane) }), t('releaseText'));
  if (!reason) return;
  try {
    const result = await api('POST', `/api/lanes/${lane.gate}/${lane.lane}/release`, { reason });
    toast(() => t('released', { id: result.passageId }), 'ok');
  } catch (error) {
    toast(error.message, 'error');
  }
}

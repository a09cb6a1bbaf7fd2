// The lanes view: one card per lane with its phase, mode, last decision in words,
// temperature and devices; a guard can release a lane by hand from here.
import { api } from './api.js';
import { formatTime, isUrgentReason, label, t } from './i18n.js';
import { ask, el, toast } from './ui.js';

const lanes = new Map();

export function setLanes(list) {
  lanes.clear();
  for (const lane of list) lanes.set(lane.id, lane);
  render();
}

export function updateLane(lane) {
  lanes.set(lane.id, lane);
  render();
}

export function render() {
  const box = document.getElementById('lanes');
  box.replaceChildren(...[...lanes.values()].map(card));
}

function card(lane) {
  const last = lane.lastPassage;
  const urgent = last?.reasons.some(isUrgentReason);
  return el(
    'article',
    { class: `lane ${last ? `verdict-${last.verdict}` : ''} ${urgent ? 'urgent' : ''} mode-${lane.mode}`, 'data-testid': `lane-${lane.gate}-${lane.lane}` },
    el('header', {}, el('h3', {}, `${lane.gateName} · ${lane.lane}`), el('span', { class: 'badge' }, t(lane.direction)), el('span', { class: `badge phase-${lane.phase}`, 'data-testid': 'phase' }, label('phases', lane.phase)), lane.mode !== 'normal' ? el('span', { class: 'badge mode', 'data-testid': 'lane-mode' }, label('modes', lane.mode)) : null),
    last
      ? el(
          'div',
          { class: 'decision', 'data-testid': 'last-decision' },
          el('div', { class: 'verdict', 'data-testid': 'verdict' }, label('verdicts', last.verdict), ' · ', formatTime(last.at)),
          el('ul', { class: 'reasons', 'data-testid': 'reasons' }, last.reasons.map((code) => el('li', { class: isUrgentReason(code) ? 'urgent' : '', title: code }, label('reasons', code)))),
          last.temperatureC !== null ? el('div', { class: `temp ${urgent ? 'urgent' : ''}`, 'data-testid': 'temperature' }, `${last.temperatureC.toFixed(1)} °C`) : null,
        )
      : el('div', { class: 'decision empty' }, t('noDecision')),
    lane.lastReading && last?.temperatureC == null ? el('div', { class: 'temp' }, `${t('temperature')}: ${lane.lastReading.celsius.toFixed(1)} °C`) : null,
    el('ul', { class: 'devices' }, lane.devices.map((device) => el('li', { class: `dev ${device.availability}`, title: device.lastError?.message ?? '' }, `${device.slot ?? device.role}: ${t(device.availability)}`))),
    el('button', { type: 'button', class: 'release', 'data-testid': 'release', onclick: () => release(lane) }, t('release')),
  );
}

async function release(lane) {
  const reason = await ask(t('releaseTitle', { lane: `${lane.gateName} · ${lane.lane}` }), t('releaseText'));
  if (!reason) return;
  try {
    const result = await api('POST', `/api/lanes/${lane.gate}/${lane.lane}/release`, { reason });
    toast(t('released', { id: result.passageId }), 'ok');
  } catch (error) {
    toast(error.message, 'error');
  }
}

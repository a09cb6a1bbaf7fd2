// The guard-room page: login, tabs, the mode switch and the live stream.
import { api, setToken, stream, token } from './api.js';
import { receiveAlert, render as renderAlerts, setAlerts } from './alerts.js';
import { setupPassageSearch, setupVisitorForm } from './forms.js';
import { applyStatic, label, loadLabels, t, toggleLanguage } from './i18n.js';
import { render as renderLanes, setLanes, updateLane } from './lanes.js';
import { ask, toast, unlockAudio } from './ui.js';

let stopStream;
let mode = { estate: 'normal', scopes: [] };

function showMode(next) {
  mode = next;
  const badge = document.getElementById('mode-badge');
  badge.textContent = label('modes', mode.estate);
  badge.className = `badge mode-${mode.estate}`;
  document.getElementById('lockdown-toggle').checked = mode.estate === 'lockdown';
  document.body.dataset.mode = mode.estate;
}

async function reload() {
  const [lanes, alerts, current] = await Promise.all([api('GET', '/api/lanes'), api('GET', '/api/alerts?limit=100'), api('GET', '/api/mode')]);
  setLanes(lanes);
  setAlerts(alerts.items);
  showMode(current);
}

function onEvent(event, data) {
  if (event === 'lane') updateLane(data);
  else if (event === 'alert') receiveAlert(data);
  else if (event === 'mode') showMode(data);
}

function setLive(on) {
  const live = document.getElementById('live');
  live.textContent = on ? `● ${t('live')}` : t('reconnecting');
  live.className = on ? 'live on' : 'live';
  document.body.dataset.live = on ? 'on' : 'off';
}

async function start() {
  const session = await api('GET', '/api/session');
  document.getElementById('who').textContent = `${session.name} (${session.role})`;
  document.getElementById('login').hidden = true;
  document.getElementById('app').hidden = false;
  const lanes = await api('GET', '/api/lanes');
  const gates = [...new Map(lanes.map((lane) => [lane.gate, { id: lane.gate, name: lane.gateName }])).values()];
  setupPassageSearch(gates);
  stopStream = stream({
    onOpen: async () => {
      await reload();
      setLive(true);
    },
    onEvent,
    onDrop: () => setLive(false),
  });
}

async function toggleLockdown(event) {
  const turnOn = event.target.checked;
  event.target.checked = !turnOn;
  const reason = await ask(t(turnOn ? 'lockdownOnTitle' : 'lockdownOffTitle'), t(turnOn ? 'lockdownOnText' : 'lockdownOffText'));
  if (!reason) return;
  try {
    showMode(await api('POST', turnOn ? '/api/mode/lockdown' : '/api/mode/lift', { reason }));
    toast(t(turnOn ? 'lockdownOn' : 'lockdownOff'), 'ok');
  } catch (error) {
    toast(error.message, 'error');
  }
}

function selectTab(name) {
  for (const button of document.querySelectorAll('[data-tab]')) button.setAttribute('aria-selected', String(button.dataset.tab === name));
  for (const section of document.querySelectorAll('.tab')) section.hidden = section.id !== `tab-${name}`;
}

function rerender() {
  applyStatic();
  renderLanes();
  renderAlerts();
  showMode(mode);
}

async function main() {
  await loadLabels();
  applyStatic();
  for (const button of document.querySelectorAll('[data-action="lang"]')) {
    button.addEventListener('click', () => {
      toggleLanguage();
      rerender();
    });
  }
  for (const button of document.querySelectorAll('[data-tab]')) button.addEventListener('click', () => selectTab(button.dataset.tab));
  document.getElementById('alerts-unacked').addEventListener('change', renderAlerts);
  document.getElementById('lockdown-toggle').addEventListener('change', toggleLockdown);
  setupVisitorForm();
  document.getElementById('logout').addEventListener('click', () => {
    stopStream?.();
    setToken(null);
    location.reload();
  });
  document.getElementById('login-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    unlockAudio();
    setToken(document.getElementById('token').value.trim());
    try {
      await start();
    } catch {
      setToken(null);
      document.getElementById('login-error').textContent = t('badToken');
    }
  });
  if (token()) start().catch(() => setToken(null));
}

main();

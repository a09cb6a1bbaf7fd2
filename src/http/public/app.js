// The guard-room page: login, the controls each role may use, tabs, the mode
// switch, the live stream and the stale-screen guard.
import { api, setToken, stream, token } from './api.js';
import { receiveAlert, render as renderAlerts, setAlerts, setCanAck } from './alerts.js';
import { loadExitPasses, renderExitPasses, setupExitPassForm } from './exit-passes.js';
import { refreshScanStatus, renderPassages, scannedPassage, setupPassageSearch, setupVisitorForm } from './forms.js';
import { applyStatic, formatClock, label, loadLabels, setTimeZone, t, toggleLanguage } from './i18n.js';
import { render as renderLanes, setCanRelease, setGateNames, setLanes, setToday, updateLane } from './lanes.js';
import { ask, refreshToast, toast, unlockAudio } from './ui.js';

/** The feed down this long greys the lanes out (the page retries every 2 s meanwhile). */
const STALE_AFTER_MS = 3000;
/** No byte this long, though the gateway sends a heartbeat every 5 s: the link is dead even if TCP has not noticed. */
const SILENT_AFTER_MS = 16_000;
/** Today's counters are reloaded at most this often while passages stream in. */
const TODAY_EVERY_MS = 2000;
/** Roles that act at the gate (src/http/auth.ts GATE_STAFF). */
const GATE_STAFF = ['guard', 'manager'];

let stopStream;
let role = '';
let mode = { estate: 'normal', scopes: [] };
let live = false;
let downSince = null;
let lastData = null;
let todayTimer;

/** Guards may start a lockdown but not lift one (estate plan, rule 9): they never see the lifting switch. */
function canSwitch(estateMode) {
  return role === 'manager' || (role === 'guard' && estateMode !== 'lockdown');
}

function showMode(next) {
  mode = next;
  const badge = document.getElementById('mode-badge');
  badge.textContent = label('modes', mode.estate);
  badge.className = `badge mode-${mode.estate}`;
  const toggle = document.getElementById('lockdown-switch');
  if (toggle) {
    toggle.hidden = !canSwitch(mode.estate);
    document.getElementById('lockdown-toggle').checked = mode.estate === 'lockdown';
  }
  document.body.dataset.mode = mode.estate;
}

async function loadToday() {
  setToday(await api('GET', '/api/lanes/today'));
}

function scheduleToday() {
  todayTimer ??= setTimeout(() => {
    todayTimer = undefined;
    loadToday().catch(() => {});
  }, TODAY_EVERY_MS);
}

async function reload() {
  const [lanes, alerts, current] = await Promise.all([api('GET', '/api/lanes'), api('GET', '/api/alerts?acked=false&limit=500'), api('GET', '/api/mode')]);
  setLanes(lanes);
  setAlerts(alerts.items);
  showMode(current);
  await loadToday();
}

function onEvent(event, data) {
  if (event === 'lane') updateLane(data);
  else if (event === 'alert') receiveAlert(data);
  else if (event === 'mode') showMode(data);
  else if (event === 'passage') {
    scheduleToday();
    if (GATE_STAFF.includes(role)) scannedPassage(data);
  }
}

function setLive(on) {
  live = on;
  const node = document.getElementById('live');
  node.textContent = on ? `● ${t('live')}` : t('reconnecting');
  node.className = on ? 'live on' : 'live';
  document.body.dataset.live = on ? 'on' : 'off';
}

/** Greys the lanes out under the banner when the feed has been down, or silent, for too long. */
function checkStale() {
  const now = Date.now();
  const stale = (downSince !== null && now - downSince > STALE_AFTER_MS) || (live && lastData !== null && now - lastData > SILENT_AFTER_MS);
  document.body.dataset.stale = String(stale);
  document.getElementById('stale').hidden = !stale;
  document.getElementById('stale-since').textContent = stale && lastData !== null ? t('staleSince', { time: formatClock(lastData) }) : '';
}

/** Removes every control the role cannot use: hidden is not enough, a guard must never find the lifting switch. */
function applyRole() {
  for (const node of document.querySelectorAll('[data-roles]')) if (!node.dataset.roles.split(' ').includes(role)) node.remove();
  document.body.dataset.role = role;
  setCanAck(GATE_STAFF.includes(role));
  setCanRelease(GATE_STAFF.includes(role));
}

async function start() {
  const [session, estate] = await Promise.all([api('GET', '/api/session'), api('GET', '/api/estate')]);
  role = session.role;
  setTimeZone(estate.timeZone);
  document.getElementById('estate').textContent = estate.name;
  document.title = `${estate.name} · gatewarden`;
  document.getElementById('who').textContent = `${session.name} (${session.role})`;
  applyRole();
  document.getElementById('login').hidden = true;
  document.getElementById('app').hidden = false;
  setGateNames(estate.gates);
  selectTab(document.querySelector('[data-tab]')?.dataset.tab);
  setupExitPassForm();
  if (role === 'approver') {
    showMode(await api('GET', '/api/mode'));
    return;
  }
  setupPassageSearch(estate.gates);
  if (GATE_STAFF.includes(role)) setupVisitorForm(estate.gates.flatMap((gate) => gate.lanes.map((lane) => ({ gate: gate.id, lane: lane.id }))));
  stopStream = stream({
    onOpen: async () => {
      await reload();
      downSince = null;
      lastData = Date.now();
      setLive(true);
    },
    onData: () => (lastData = Date.now()),
    onEvent,
    onDrop: () => {
      downSince ??= Date.now();
      setLive(false);
    },
  });
  setInterval(checkStale, 1000);
}

async function toggleLockdown(event) {
  const turnOn = event.target.checked;
  event.target.checked = !turnOn;
  const reason = await ask(t(turnOn ? 'lockdownOnTitle' : 'lockdownOffTitle'), t(turnOn ? 'lockdownOnText' : 'lockdownOffText'));
  if (!reason) return;
  try {
    showMode(await api('POST', turnOn ? '/api/mode/lockdown' : '/api/mode/lift', { reason }));
    toast(() => t(turnOn ? 'lockdownOn' : 'lockdownOff'), 'ok');
  } catch (error) {
    toast(error.message, 'error');
  }
}

function selectTab(name) {
  for (const button of document.querySelectorAll('[data-tab]')) button.setAttribute('aria-selected', String(button.dataset.tab === name));
  for (const section of document.querySelectorAll('.tab')) section.hidden = section.id !== `tab-${name}`;
  if (name === 'exit-passes') loadExitPasses();
}

/** Everything drawn follows the language switch: static words, cards, rows, the live indicator, a toast on screen. */
function rerender() {
  applyStatic();
  renderExitPasses();
  showMode(mode);
  if (role && role !== 'approver') {
    renderLanes();
    renderAlerts();
    renderPassages();
    setLive(live);
    checkStale();
  }
  refreshToast();
  refreshScanStatus();
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
  // Any click enables the alarm's sound after a reload (browsers need a gesture).
  document.addEventListener('pointerdown', unlockAudio);
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

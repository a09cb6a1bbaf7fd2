// Small shared pieces: element builder, toast, the confirmation dialog, the alarm beep.
// No inline handlers or styles anywhere (the page runs under a strict CSP).
export function el(tag, attrs = {}, ...children) {
  const node = tag === 'svg' || attrs.svg ? document.createElementNS('http://www.w3.org/2000/svg', tag) : document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false || key === 'svg') continue;
    if (key === 'class') node.setAttribute('class', value);
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) if (child !== undefined && child !== null) node.append(child instanceof Node ? child : String(child));
  return node;
}

let toastTimer;
let toastText;
/**
 * Shows a message for 6 s. `message` may be a function of the language, so a
 * toast on screen follows the language switch (refreshToast).
 */
export function toast(message, kind = 'info') {
  const box = document.getElementById('toast');
  toastText = typeof message === 'function' ? message : () => message;
  box.textContent = toastText();
  box.className = `toast ${kind}`;
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (box.hidden = true), 6000);
}

export function refreshToast() {
  const box = document.getElementById('toast');
  if (!box.hidden && toastText) box.textContent = toastText();
}

/** Asks for confirmation and a reason; resolves to the reason, or null when cancelled. */
export function ask(title, text) {
  const dialog = document.getElementById('confirm');
  document.getElementById('confirm-title').textContent = title;
  document.getElementById('confirm-text').textContent = text;
  const reason = document.getElementById('confirm-reason');
  reason.value = '';
  dialog.returnValue = '';
  dialog.showModal();
  reason.focus();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok' ? reason.value.trim() : null), { once: true });
  });
}

let audio;
/** Created on a click: browsers start audio only after a user gesture. */
export function unlockAudio() {
  audio ??= new AudioContext();
  audio.resume?.();
}

/**
 * Three short high beeps. Counted on window.__beeps, so a test (or a guard's
 * supervisor) can tell the alarm sounded without hearing it.
 */
export function beep() {
  if (!audio) return;
  const start = audio.currentTime;
  for (let i = 0; i < 3; i++) {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = 'square';
    osc.frequency.value = 1200;
    gain.gain.value = 0.15;
    osc.connect(gain).connect(audio.destination);
    osc.start(start + i * 0.3);
    osc.stop(start + i * 0.3 + 0.18);
  }
  window.__beeps = (window.__beeps ?? 0) + 1;
}

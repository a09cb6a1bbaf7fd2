// Today's passages of a lane by hour, as a small SVG bar chart: passed,
// refused or referred, and fevers side by side in each hour of the estate's day.
import { el } from './ui.js';

const W = 240;
const H = 64;
const BASE = 54;
const SERIES = ['passed', 'refused', 'fevers'];

export function hourlyChart(hours, title) {
  const max = Math.max(1, ...SERIES.flatMap((key) => hours[key]));
  const bars = [];
  for (let hour = 0; hour < 24; hour++) {
    SERIES.forEach((key, i) => {
      const value = hours[key][hour] ?? 0;
      if (value === 0) return;
      const height = Math.max(1, (value / max) * (BASE - 4));
      bars.push(el('rect', { svg: true, class: key, x: hour * 10 + 1 + i * 3, y: BASE - height, width: 2.6, height, 'data-hour': hour }, el('title', { svg: true }, `${hour}:00 ${value}`)));
    });
  }
  const ticks = [0, 6, 12, 18].map((hour) => el('text', { svg: true, x: hour * 10 + 1, y: H - 2 }, String(hour)));
  return el(
    'svg',
    { class: 'chart', viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': title, 'data-testid': 'chart' },
    el('title', { svg: true }, title),
    el('line', { svg: true, class: 'axis', x1: 0, y1: BASE, x2: W, y2: BASE }),
    bars,
    ticks,
  );
}

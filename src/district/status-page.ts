import type { EstateSummary } from './receiver-views.js';

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const ranges = (list: ReadonlyArray<{ from: number; to: number }>) => (list.length === 0 ? '–' : list.map((r) => (r.from === r.to ? `${r.from}` : `${r.from}–${r.to}`)).join(', '));

/**
 * The district's page: one server-rendered table, no script and no CDN, so
 * it opens on any desk browser and shows the same as /api/estates. It
 * refreshes itself every 10 s.
 */
export function renderStatusPage(districtName: string, estates: readonly EstateSummary[], openAlerts: number): string {
  const rows = estates
    .map((e) => {
      const state = e.silent ? 'silent' : e.online === false ? 'offline' : e.online ? 'online' : 'unknown';
      const age = e.lastReportAgeS === null ? '–' : `${e.lastReportAgeS} s`;
      const findings = Object.entries(e.findings).map(([kind, count]) => `${kind} ${count}`).join(', ') || '–';
      return `<tr class="${state}"><td>${escape(e.estate)}</td><td>${state}</td><td>${age}</td><td>${e.completeness.contiguousTo}</td><td>${e.completeness.checkpointSeq ?? '–'}</td><td>${e.completeness.pending}</td><td>${ranges(e.completeness.missing)}</td><td>${ranges(e.completeness.explained)}</td><td>${escape(findings)}</td></tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta http-equiv="refresh" content="10">
<title>${escape(districtName)} · gatewarden district</title>
<style>body{font:14px system-ui,sans-serif;margin:1.5em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}
tr.silent td,tr.offline td{background:#fde2e2}tr.online td:nth-child(2){color:#176f2c}</style></head>
<body><h1>${escape(districtName)}</h1>
<p>${estates.length} estates · ${estates.filter((e) => e.online && !e.silent).length} online · ${openAlerts} open alerts (<a href="api/alerts">api/alerts</a>) · <a href="metrics">metrics</a></p>
<table><thead><tr><th>estate</th><th title="silent: nothing signed within verify.silentAfterMin; online/offline: the estate’s unsigned status">state</th><th>last report</th><th>complete to seq</th><th>checkpoint</th><th>pending</th><th>missing</th><th>shed (explained)</th><th>findings</th></tr></thead>
<tbody>
${rows}
</tbody></table></body></html>
`;
}

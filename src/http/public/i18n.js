// Words of the page in zh-CN (the guards' working language) and English, and
// times in the estate's time zone. Labels of reason codes, alert types, modes,
// verdicts, phases and devices come from /labels.json (src/core/labels.ts).
// The English view carries no Chinese but names (estate, gates, people).
export const STRINGS = {
  zh: {
    title: '门岗值守', pasteToken: '粘贴访问令牌', login: '登录', logout: '退出', badToken: '令牌无效或已停用',
    lockdown: '封控', tabLanes: '通道', tabAlerts: '告警', tabVisitors: '访客登记', tabPassages: '通行查询', tabExitPasses: '出门证',
    liveAlerts: '实时告警', unackedOnly: '仅未确认', time: '时间', type: '类型', where: '位置', reasons: '原因', details: '详情',
    ack: '确认', ackAll: '全部确认', ackedBy: '已确认：', visitorSubject: '访客健康码编号', hostHousehold: '被访住户（楼-室）', plate: '车牌（可选）',
    validHours: '有效时长（小时）', issuePass: '登记并生成通行证', passId: '通行证号', validUntil: '有效至', print: '打印',
    allGates: '全部门岗', allVerdicts: '全部结果', grant: '放行', deny: '拒绝', refer: '转人工', search: '查询', exportCsv: '导出 CSV',
    direction: '方向', verdict: '结果', temperature: '体温', more: '更多', reason: '原因', cancel: '取消', confirm: '确认',
    release: '人工放行', releaseTitle: '人工放行 {lane}', releaseText: '闸机将打开一次，记录为人工放行并留档审计。',
    lockdownOnTitle: '启动封控', lockdownOnText: '全小区进入封控：外来人员和车辆禁止进入，出入均需测温验码。',
    lockdownOffTitle: '解除封控', lockdownOffText: '恢复正常通行（仅限物业经理，依区疾控通知）。',
    released: '已放行，通行记录 {id}', lockdownOn: '已启动封控', lockdownOff: '已解除封控', passIssued: '访客通行证已生成',
    noDecision: '暂无通行', online: '在线', degraded: '降级', offline: '离线',
    in: '进', out: '出', both: '双向', lane: '通道', live: '实时', reconnecting: '重新连接…', noRows: '无记录',
    stale: '信息已过期', staleText: '与网关的连接已中断，以下状态不是实时的。', staleSince: '最后更新 {time}',
    today: '今日', passed: '放行', refused: '拒绝/转人工', fevers: '发热', chartTitle: '今日每小时通行',
    scanAtLane: '在通道扫访客健康码填入', scanStart: '等待扫码', scanWaiting: '请访客在 {lane} 扫健康码…',
    scanFilled: '已从 {lane} 填入健康码编号', scanTimeout: '一分钟内未扫码，请重试', scanNoPass: '{lane} 扫到的不是健康码，请重试',
    residentSubject: '住户健康码编号', household: '住户（楼-室）', returnWithin: '须在几小时内返回', issueExitPass: '签发出门证',
    returnBy: '返回期限', state: '状态', exitIssued: '出门证已签发：{id}', issued: '已签发', left: '已外出', returned: '已返回', revoked: '已撤销',
    yes: '是', no: '否', count: '{n} 条',
    d_temperatureC: '体温', d_verdict: '结果', d_direction: '方向', d_confirmed: '复测确认', d_readingsC: '读数（°C）', d_routing: '通报',
    d_device: '设备', d_error: '错误', d_message: '说明', d_drill: '演练', d_scope: '范围', d_by: '操作人', d_reason: '原因',
    d_passId: '通行证号', d_household: '住户', d_returnBy: '返回期限', d_leftAt: '外出时间', d_overdueMin: '逾期（分钟）',
    d_depth: '积压条数', d_maxRows: '上限', d_table: '表', d_list: '名单', d_ageHours: '已过（小时）', d_refreshedAt: '更新时间',
    d_url: '地址', d_downSince: '中断起', d_downForS: '中断（秒）', d_phase: '阶段',
  },
  en: {
    title: 'Gate duty', pasteToken: 'Paste your access token', login: 'Log in', logout: 'Log out', badToken: 'Token not valid',
    lockdown: 'Lockdown', tabLanes: 'Lanes', tabAlerts: 'Alerts', tabVisitors: 'Visitors', tabPassages: 'Passages', tabExitPasses: 'Exit passes',
    liveAlerts: 'Live alerts', unackedOnly: 'Unacknowledged only', time: 'Time', type: 'Type', where: 'Where', reasons: 'Reasons', details: 'Details',
    ack: 'Acknowledge', ackAll: 'Acknowledge all', ackedBy: 'Acknowledged by ', visitorSubject: "Visitor's health pass id", hostHousehold: 'Host household (block-room)', plate: 'Plate (optional)',
    validHours: 'Valid for (hours)', issuePass: 'Register and issue pass', passId: 'Pass id', validUntil: 'Valid until', print: 'Print',
    allGates: 'All gates', allVerdicts: 'All verdicts', grant: 'Granted', deny: 'Denied', refer: 'Referred', search: 'Search', exportCsv: 'Export CSV',
    direction: 'Direction', verdict: 'Verdict', temperature: 'Temp.', more: 'More', reason: 'Reason', cancel: 'Cancel', confirm: 'Confirm',
    release: 'Release by hand', releaseTitle: 'Release {lane} by hand', releaseText: 'The barrier opens once; recorded as a manual release and audited.',
    lockdownOnTitle: 'Start lockdown', lockdownOnText: 'The whole estate locks down: no outside people or vehicles; everyone checked in and out.',
    lockdownOffTitle: 'Lift lockdown', lockdownOffText: 'Back to normal (managers only, when the district CDC says so).',
    released: 'Released, passage {id}', lockdownOn: 'Lockdown started', lockdownOff: 'Lockdown lifted', passIssued: 'Visitor pass issued',
    noDecision: 'No passage yet', online: 'online', degraded: 'degraded', offline: 'offline',
    in: 'in', out: 'out', both: 'both ways', lane: 'Lane', live: 'live', reconnecting: 'reconnecting…', noRows: 'No rows',
    stale: 'STALE', staleText: 'The link to the gateway is down: what follows is not live.', staleSince: 'last update {time}',
    today: 'Today', passed: 'passed', refused: 'refused/referred', fevers: 'fevers', chartTitle: 'Passages per hour today',
    scanAtLane: "Fill by scanning the visitor's health pass at a lane", scanStart: 'Wait for the scan', scanWaiting: 'Visitor: scan your health pass at {lane}…',
    scanFilled: 'Health pass id filled from {lane}', scanTimeout: 'No scan within a minute: try again', scanNoPass: 'What was scanned at {lane} is not a health pass: try again',
    residentSubject: "Resident's health pass id", household: 'Household (block-room)', returnWithin: 'Must return within (hours)', issueExitPass: 'Issue exit pass',
    returnBy: 'Return by', state: 'State', exitIssued: 'Exit pass issued: {id}', issued: 'issued', left: 'out', returned: 'returned', revoked: 'revoked',
    yes: 'yes', no: 'no', count: '{n} alerts',
    d_temperatureC: 'temperature', d_verdict: 'verdict', d_direction: 'direction', d_confirmed: 'confirmed', d_readingsC: 'readings (°C)', d_routing: 'reported to',
    d_device: 'device', d_error: 'error', d_message: 'message', d_drill: 'drill', d_scope: 'scope', d_by: 'by', d_reason: 'reason',
    d_passId: 'pass id', d_household: 'household', d_returnBy: 'return by', d_leftAt: 'left at', d_overdueMin: 'overdue (min)',
    d_depth: 'backlog', d_maxRows: 'limit', d_table: 'table', d_list: 'list', d_ageHours: 'age (h)', d_refreshedAt: 'refreshed',
    d_url: 'address', d_downSince: 'down since', d_downForS: 'down for (s)', d_phase: 'phase',
  },
};

let lang = sessionStorage.getItem('gw-lang') === 'en' ? 'en' : 'zh';
let timeZone = 'Asia/Shanghai';
let labels = { reasons: {}, alerts: {}, modes: {}, verdicts: {}, phases: {}, devices: {}, urgent: { reasons: [], alerts: [] }, fallback: {} };

export async function loadLabels() {
  labels = await (await fetch('/labels.json')).json();
}

export function language() {
  return lang;
}

export function setTimeZone(zone) {
  if (zone) timeZone = zone;
}

export function toggleLanguage() {
  lang = lang === 'zh' ? 'en' : 'zh';
  sessionStorage.setItem('gw-lang', lang);
  applyStatic();
}

export function t(key, vars = {}) {
  const text = STRINGS[lang][key] ?? STRINGS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ''));
}

/** The words for a stable code of one kind: reasons, alerts, modes, verdicts, phases, devices. */
export function label(kind, code) {
  const entry = labels[kind]?.[code];
  if (entry) return entry[lang];
  return kind === 'reasons' && labels.fallback[code] ? labels.fallback[code] : code;
}

export function reasonList(codes) {
  return codes.map((code) => label('reasons', code)).join(lang === 'zh' ? '，' : '; ');
}

export function isUrgentReason(code) {
  return labels.urgent.reasons.includes(code);
}

/** Fever, suspected case, quarantine and lockdown breach, device fault: first in the feed, sound until acknowledged. */
export function isUrgentAlert(type) {
  return labels.urgent.alerts.includes(type);
}

export function urgentRank(type) {
  const index = labels.urgent.alerts.indexOf(type);
  return index < 0 ? labels.urgent.alerts.length : index;
}

export function applyStatic() {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  // The switch names the other language in its own words, as language pickers do.
  for (const node of document.querySelectorAll('[data-action="lang"]')) node.textContent = lang === 'zh' ? 'English' : '中文';
}

/** Date and time in the estate's zone, whatever the tablet's own clock zone is. */
export function formatTime(iso) {
  return new Date(iso).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', { timeZone, hour12: false });
}

export function formatClock(iso) {
  return new Date(iso).toLocaleTimeString(lang === 'zh' ? 'zh-CN' : 'en-GB', { timeZone, hour12: false });
}

/** The details of an alert in words: known keys labelled, times local, codes translated. */
export function formatDetails(details, placeName) {
  return Object.entries(details)
    .filter(([, value]) => value !== null && value !== '')
    .map(([key, value]) => `${STRINGS[lang][`d_${key}`] ?? key}: ${detailValue(key, value, placeName)}`)
    .join(lang === 'zh' ? '；' : '; ');
}

function detailValue(key, value, placeName) {
  if (typeof value === 'boolean') return t(value ? 'yes' : 'no');
  if (key === 'temperatureC') return `${Number(value).toFixed(1)} °C`;
  if (key === 'verdict') return label('verdicts', value);
  if (key === 'direction') return t(value);
  if (key === 'device') return label('devices', value) === value ? placeName(value) : label('devices', value);
  if (key === 'phase') return label('phases', value);
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value)) return formatTime(value);
  return String(value);
}

// Words of the page in zh-CN (the guards' working language) and English.
// Labels of reason codes, alert types, modes and verdicts come from /labels.json,
// generated from src/http/labels.ts.
export const STRINGS = {
  zh: {
    title: '门岗值守', pasteToken: '粘贴访问令牌', login: '登录', logout: '退出', badToken: '令牌无效或已停用',
    lockdown: '封控', tabLanes: '通道', tabAlerts: '告警', tabVisitors: '访客登记', tabPassages: '通行查询',
    liveAlerts: '实时告警', unackedOnly: '仅未确认', time: '时间', type: '类型', where: '位置', reasons: '原因', details: '详情',
    ack: '确认', ackedBy: '已确认：', visitorSubject: '访客健康码编号', hostHousehold: '被访住户（楼-室）', plate: '车牌（可选）',
    validHours: '有效时长（小时）', issuePass: '登记并生成通行证', passId: '通行证号', validUntil: '有效至', print: '打印',
    allGates: '全部门岗', allVerdicts: '全部结果', grant: '放行', deny: '拒绝', refer: '转人工', search: '查询', exportCsv: '导出 CSV',
    direction: '方向', verdict: '结果', temperature: '体温', more: '更多', reason: '原因', cancel: '取消', confirm: '确认',
    release: '人工放行', releaseTitle: '人工放行 {lane}', releaseText: '闸机将打开一次，记录为人工放行并留档审计。',
    lockdownOnTitle: '启动封控', lockdownOnText: '全小区进入封控：外来人员和车辆禁止进入，出入均需测温验码。',
    lockdownOffTitle: '解除封控', lockdownOffText: '恢复正常通行（仅限物业经理，依区疾控通知）。',
    released: '已放行，通行记录 {id}', lockdownOn: '已启动封控', lockdownOff: '已解除封控', passIssued: '访客通行证已生成',
    lastDecision: '最近判定', noDecision: '暂无通行', devices: '设备', online: '在线', degraded: '降级', offline: '离线',
    in: '进', out: '出', live: '实时', reconnecting: '重新连接…', noRows: '无记录',
  },
  en: {
    title: 'Gate duty', pasteToken: 'Paste your access token', login: 'Log in', logout: 'Log out', badToken: 'Token not valid',
    lockdown: 'Lockdown', tabLanes: 'Lanes', tabAlerts: 'Alerts', tabVisitors: 'Visitors', tabPassages: 'Passages',
    liveAlerts: 'Live alerts', unackedOnly: 'Unacknowledged only', time: 'Time', type: 'Type', where: 'Where', reasons: 'Reasons', details: 'Details',
    ack: 'Acknowledge', ackedBy: 'Acknowledged by ', visitorSubject: "Visitor's health pass id", hostHousehold: 'Host household (block-room)', plate: 'Plate (optional)',
    validHours: 'Valid for (hours)', issuePass: 'Register and issue pass', passId: 'Pass id', validUntil: 'Valid until', print: 'Print',
    allGates: 'All gates', allVerdicts: 'All verdicts', grant: 'Granted', deny: 'Denied', refer: 'Referred', search: 'Search', exportCsv: 'Export CSV',
    direction: 'Direction', verdict: 'Verdict', temperature: 'Temp.', more: 'More', reason: 'Reason', cancel: 'Cancel', confirm: 'Confirm',
    release: 'Release by hand', releaseTitle: 'Release {lane} by hand', releaseText: 'The barrier opens once; recorded as a manual release and audited.',
    lockdownOnTitle: 'Start lockdown', lockdownOnText: 'The whole estate locks down: no outside people or vehicles; everyone checked in and out.',
    lockdownOffTitle: 'Lift lockdown', lockdownOffText: 'Back to normal (managers only, when the district CDC says so).',
    released: 'Released, passage {id}', lockdownOn: 'Lockdown started', lockdownOff: 'Lockdown lifted', passIssued: 'Visitor pass issued',
    lastDecision: 'Last decision', noDecision: 'No passage yet', devices: 'Devices', online: 'online', degraded: 'degraded', offline: 'offline',
    in: 'in', out: 'out', live: 'live', reconnecting: 'reconnecting…', noRows: 'No rows',
  },
};

let lang = sessionStorage.getItem('gw-lang') === 'en' ? 'en' : 'zh';
let labels = { reasons: {}, alerts: {}, modes: {}, verdicts: {}, phases: {}, urgent: { reasons: [], alerts: [] }, fallback: {} };

export async function loadLabels() {
  labels = await (await fetch('/labels.json')).json();
}

export function language() {
  return lang;
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

/** The words for a stable code of one kind: reasons, alerts, modes, verdicts, phases. */
export function label(kind, code) {
  const entry = labels[kind]?.[code];
  if (entry) return entry[lang];
  return kind === 'reasons' && labels.fallback[code] ? labels.fallback[code] : code;
}

export function isUrgentReason(code) {
  return labels.urgent.reasons.includes(code);
}

export function isUrgentAlert(type) {
  return labels.urgent.alerts.includes(type);
}

export function applyStatic() {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-action="lang"]')) el.textContent = lang === 'zh' ? 'English' : '中文';
}

export function formatTime(iso) {
  return new Date(iso).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', { hour12: false });
}

import type { AlertType } from './alerts.js';
import type { Mode } from './mode.js';
import { REASONS, type ReasonCode } from './reasons.js';

/**
 * What the guard-room page says for each stable code, in zh-CN (the guards'
 * working language) and English. Codes the design names for the rules still to
 * come are labelled already; test/integration/http/api.test.ts ("labels") fails when a
 * reason code or alert type has no words here (the page then falls back to
 * the English text of REASONS).
 */
export interface Label {
  zh: string;
  en: string;
}

export const REASON_LABELS: Readonly<Partial<Record<ReasonCode, Label>>> = {
  CODE_GREEN: { zh: '健康码绿码有效', en: 'Health code green and valid' },
  CARD_VALID: { zh: '门禁卡有效', en: 'Card valid' },
  TEMP_NORMAL: { zh: '体温正常', en: 'Temperature normal' },
  FEVER: { zh: '发热（复测确认）', en: 'Fever (confirmed by a second reading)' },
  FEVER_SOFT: { zh: '发热：软管控通道放行并告警', en: 'Fever on a soft lane: allowed, alerted' },
  TEMP_IMPLAUSIBLE: { zh: '体温读数异常，请人工复测', en: 'Implausible temperature: measure by hand' },
  NO_TEMPERATURE: { zh: '未测到体温', en: 'No temperature reading' },
  CODE_RED: { zh: '健康码红码', en: 'Health code red' },
  CODE_YELLOW: { zh: '健康码黄码', en: 'Health code yellow' },
  CODE_EXPIRED: { zh: '健康码已过期或未生效', en: 'Health pass expired or not yet valid' },
  CODE_BAD_SIGNATURE: { zh: '健康码签名无效（疑似伪造）', en: 'Health pass signature invalid (possibly forged)' },
  CODE_UNKNOWN_ISSUER: { zh: '健康码签发机构不在信任列表', en: 'Health pass issuer not trusted' },
  CODE_MALFORMED: { zh: '无法识别的二维码', en: 'Unrecognised code' },
  CODE_REPLAYED: { zh: '同一健康码刚刚使用过（疑似截图共用）', en: 'Same pass used moments ago (shared screenshot?)' },
  CARD_UNKNOWN: { zh: '门禁卡未登记', en: 'Card not in the roster' },
  TRUST_STALE: { zh: '信任列表已过期，需人工核验', en: 'Trust list out of date: guard must check' },
  DEVICE_FAULT: { zh: '设备故障', en: 'Device fault' },
  EMERGENCY_OPEN: { zh: '紧急开闸（消防）', en: 'Emergency open (life safety)' },
  MANUAL_RELEASE: { zh: '保安人工放行', en: 'Released by a guard' },
  RISK_AREA_NO_TEST: { zh: '来自中高风险地区且无7日内核酸阴性证明', en: 'From a medium/high-risk area without a negative test in 7 days' },
  LOCKDOWN_NO_ENTRY: { zh: '封控期间外来人员禁止进入', en: 'Lockdown: no outside people' },
  EXIT_PASS_REQUIRED: { zh: '封控期间外出须持出门证', en: 'Lockdown: exit pass required' },
  QUARANTINED: { zh: '隔离人员', en: 'Under quarantine' },
  FEVER_UNCONFIRMED: { zh: '首次测温发热未复测，请人工处理', en: 'Fever reading not re-measured: guard decides' },
  VISITOR_PASS_VALID: { zh: '访客通行证有效', en: 'Visitor pass valid' },
  VISITOR_PASS_INVALID: { zh: '访客通行证无效或已撤销', en: 'Visitor pass invalid or revoked' },
  VISITOR_PASS_EXPIRED: { zh: '访客通行证不在有效期内', en: 'Visitor pass outside its validity' },
  VEHICLE_RESIDENT: { zh: '业主车辆', en: 'Resident vehicle' },
  VEHICLE_VISITOR: { zh: '已登记访客车辆', en: 'Registered visitor vehicle' },
  PLATE_UNKNOWN: { zh: '车牌未登记', en: 'Plate not registered' },
  RISK_LIST_STALE: { zh: '风险地区名单已过期，需人工核验', en: 'Risk-area list out of date: guard must check' },
  LOCKDOWN_EXEMPT: { zh: '封控豁免人员（医护、应急）', en: 'Exempt from lockdown (medical, emergency)' },
  EXIT_PASS_VALID: { zh: '持有效出门证外出', en: 'Leaving on a valid exit pass' },
  RECOVERED_NO_TEST: { zh: '康复人员须持解除隔离后的核酸阴性证明', en: 'Recovered: negative test after release required' },
  GENERAL_CONTACT: { zh: '一般接触者（放行并监测）', en: 'General contact (passes, monitored)' },
  ANTI_PASSBACK: { zh: '重复进入（未出先进）', en: 'Entered twice without leaving' },
  DRILL_NOT_ENFORCED: { zh: '演练（不实际拦截）', en: 'Drill: refusal recorded, not enforced' },
  HEALTH_CODE_REQUIRED: { zh: '请出示健康码', en: 'Health code required' },
  CODE_MISMATCH: { zh: '健康码与证件不是同一人', en: 'Health pass names another person' },
  TEST_POSITIVE: { zh: '核酸检测阳性（疑似病例上报）', en: 'Positive test (reported as a suspected case)' },
  CARD_ALONE_POLICY: { zh: '按小区规定凭卡通行', en: 'Card alone allowed by estate policy' },
  FEVER_REMEASURED_NORMAL: { zh: '首次测温偏高，复测正常（已告警）', en: 'First reading high, re-measured normal (alerted)' },
  SCREENING_INTERRUPTED: { zh: '测温未完成（下一位已扫码）', en: 'Not screened: the next scan came first' },
  PLATE_REQUIRED: { zh: '未识别车牌，请人工核验', en: 'No plate read: guard must check' },
};

export const ALERT_LABELS: Readonly<Partial<Record<AlertType, Label>>> = {
  fever: { zh: '发热', en: 'Fever' },
  'suspected-case': { zh: '疑似病例', en: 'Suspected case' },
  'code-abnormal': { zh: '健康码异常', en: 'Abnormal health code' },
  'device-fault': { zh: '设备故障', en: 'Device fault' },
  'barrier-forced': { zh: '闸机被强行通过', en: 'Barrier forced' },
  'barrier-held-open': { zh: '闸机长时间未关闭', en: 'Barrier held open' },
  'trust-stale': { zh: '信任列表过期', en: 'Trust list stale' },
  'storage-fault': { zh: '存储故障', en: 'Storage fault' },
  'emergency-open': { zh: '紧急开闸', en: 'Emergency open' },
  'outbox-pressure': { zh: '消息积压（上报延迟）', en: 'Outbox backlog (reports delayed)' },
  'broker-outage': { zh: '消息服务器曾中断（上报延迟）', en: 'Broker was unreachable (reports delayed)' },
  'lockdown-breach': { zh: '封控期间闯入/违规外出', en: 'Lockdown breach attempt' },
  'exit-overdue': { zh: '出门证逾期未归', en: 'Exit pass overdue' },
  'quarantine-breach': { zh: '隔离人员试图通行', en: 'Quarantined person at the gate' },
  'anti-passback': { zh: '重复进入', en: 'Anti-passback' },
};

export const MODE_LABELS: Readonly<Record<Mode, Label>> = {
  normal: { zh: '正常', en: 'Normal' },
  lockdown: { zh: '封控', en: 'Lockdown' },
  'emergency-open': { zh: '紧急开闸', en: 'Emergency open' },
};

export const VERDICT_LABELS: Readonly<Record<'grant' | 'deny' | 'refer', Label>> = {
  grant: { zh: '放行', en: 'Granted' },
  deny: { zh: '拒绝', en: 'Denied' },
  refer: { zh: '转人工', en: 'Referred to guard' },
};

const PHASE_LABELS: Readonly<Record<'idle' | 'awaiting-code' | 'measuring' | 'passing' | 'stopped', Label>> = {
  idle: { zh: '空闲', en: 'Idle' },
  measuring: { zh: '测温中', en: 'Measuring' },
  'awaiting-code': { zh: '请出示健康码', en: 'Show health code' },
  passing: { zh: '通行中', en: 'Passing' },
  stopped: { zh: '已停止', en: 'Stopped' },
};

/** What each device slot of a lane (and each device role) is called on the page. */
const DEVICE_LABELS: Readonly<Record<string, Label>> = {
  scanner: { zh: '扫码器', en: 'Scanner' },
  exitScanner: { zh: '出口扫码器', en: 'Exit scanner' },
  codeScanner: { zh: '车窗扫码器', en: 'Window scanner' },
  thermometer: { zh: '测温仪', en: 'Thermometer' },
  barrier: { zh: '闸机', en: 'Barrier' },
  indicator: { zh: '指示灯', en: 'Indicator' },
  'plate-reader': { zh: '车牌识别', en: 'Plate reader' },
  announcer: { zh: '语音播报', en: 'Announcer' },
};

/**
 * Reasons and alert types shown in red; the alert types come first in the
 * feed and their sound repeats until acknowledged (estate plan, rule 3:
 * reported at once; a device fault leaves a lane unscreened).
 */
const URGENT = {
  reasons: ['FEVER', 'FEVER_SOFT', 'TEST_POSITIVE', 'QUARANTINED'] satisfies ReasonCode[],
  alerts: ['fever', 'suspected-case', 'quarantine-breach', 'lockdown-breach', 'device-fault'] satisfies AlertType[],
};

export const LABELS = { reasons: REASON_LABELS, alerts: ALERT_LABELS, modes: MODE_LABELS, verdicts: VERDICT_LABELS, phases: PHASE_LABELS, devices: DEVICE_LABELS, urgent: URGENT };

/** Reason codes in words, for exports: the page's labels, else the English text of REASONS, else the code. */
export function reasonTexts(codes: readonly string[], lang: 'zh' | 'en'): string {
  return codes.map((code) => REASON_LABELS[code as ReasonCode]?.[lang] ?? (REASONS as Record<string, string>)[code] ?? code).join(lang === 'zh' ? '；' : '; ');
}

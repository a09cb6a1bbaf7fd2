import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { COMMAND_ROLES, REVOKE_ROLES } from '../../src/commands/command-roles.js';
import type { CommandName } from '../../src/contract/command-schemas.js';
import { validateConfig } from '../../src/config/load-config.js';
import type { PassageRecord } from '../../src/core/lane-types.js';
import { startGateway, type Gateway } from '../../src/gateway.js';
import { defaultPrefix, topicsFor } from '../../src/contract/topics.js';
import { TraceQueries } from '../../src/store/trace.js';
import { publishStats } from '../../src/mqtt/reports.js';
import { CommandConsole, createCommandSigner, managerSigner, type CommandSigner } from '../signed-commands.js';
import { createScenarioIssuer, People } from './people.js';
import { mergeConfig, scenarioConfig } from './scenario-config.js';
import { playScan } from './scan-step.js';
import { alertsAfter, lastAlertRow, until, type Stage } from './stage.js';
import { describeMismatch, sameMembers } from './expect.js';
import { loadTimeline, offsetMs, type CheckStep, type CommandStep, type Step, type Timeline, type TraceStep } from './timeline.js';

export interface StepResult {
  index: number;
  at: string;
  what: string;
  problems: string[];
}

export interface ScenarioResult {
  file: string;
  name: string;
  rules: number[];
  steps: StepResult[];
  ok: boolean;
}

/**
 * The simulated clock: the timeline jumps it to each step's time, and within a
 * step it runs at real speed, so the lane's own timeouts (re-measure, passage)
 * still expire.
 */
class ScenarioClock {
  private base: number;
  private setAt = performance.now();

  constructor(start: number) {
    this.base = start;
  }

  set(t: number): void {
    this.base = t;
    this.setAt = performance.now();
  }

  now = (): number => this.base + Math.floor(performance.now() - this.setAt);
}

/**
 * Plays a timeline through the real gateway: real SQLite file, the embedded
 * aedes broker, virtual devices, a simulated clock. Commands go over MQTT as a
 * manager's (or the approver's) console sends them: signed, dated by the
 * simulated clock, the whole reply (a visitor's code) taken from the console's
 * own reply topic; decisions and alerts are checked in the store
 * and on the broker. Returns every step's problems rather than stopping at the
 * first, so one run shows all that is wrong.
 */
export async function playScenario(file: string): Promise<ScenarioResult> {
  const timeline = loadTimeline(file);
  const start = Date.parse(timeline.start);
  const clock = new ScenarioClock(start);
  const issuer = createScenarioIssuer('district-health');
  // Exit passes are the approver's (the local epidemic-control group): its key is trusted as an approver's.
  const approverKey = createCommandSigner('scenario-approver', 'approver');
  const dir = mkdtempSync(join(tmpdir(), 'gatewarden-scenario-'));
  const passages: PassageRecord[] = [];
  let gateway: Gateway | undefined;
  let console_: CommandConsole | undefined;
  let approver: CommandConsole | undefined;
  try {
    const config = validateConfig(mergeConfig(scenarioConfig(dir, issuer, start, [approverKey]), timeline.config), file);
    gateway = await startGateway({ config, log: pino({ level: process.env.GATEWARDEN_SCENARIO_LOG ?? 'silent' }), clock, onPassage: (p) => passages.push(p) });
    const prefix = config.mqtt.topicPrefix ?? defaultPrefix(config.estate.id);
    const received: Stage['received'] = [];
    const { url } = gateway.mqtt;
    const passwords = gateway.secrets.mqttPasswords;
    const consoleFor = (username: 'manager' | 'approver', signer: CommandSigner) => CommandConsole.connect({ url, prefix, estate: config.estate.id, username, password: passwords[username], signer, now: clock.now });
    console_ = await consoleFor('manager', managerSigner(gateway.secrets));
    console_.client.on('message', (topic, payload) => received.push({ topic, body: JSON.parse(payload.toString()) as Record<string, unknown> }));
    await console_.client.subscribeAsync(`${prefix}/#`, { qos: 1 });
    approver = await consoleFor('approver', approverKey);
    const senders = { manager: console_, approver };
    const rolesFor = (step: CommandStep) => (step.command === 'revoke-pass' ? REVOKE_ROLES[step.body.pass === 'exit' ? 'exit' : 'visitor'] : COMMAND_ROLES[step.command as CommandName]);
    const sender = (step: CommandStep) => (rolesFor(step).includes('manager') ? senders.manager : senders.approver);
    const stage: Stage = { gateway, people: new People(timeline, issuer, start), passages, received, prefix, start, clock };
    const steps: StepResult[] = [];
    for (const [index, step] of timeline.steps.entries()) {
      clock.set(start + offsetMs(step.at));
      steps.push({ index, at: step.at, what: describe(step), problems: await playStep(stage, step, index, sender) });
    }
    return result(file, timeline, steps);
  } finally {
    await console_?.end();
    await approver?.end();
    await gateway?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function result(file: string, timeline: Timeline, steps: StepResult[]): ScenarioResult {
  return { file, name: timeline.name, rules: timeline.rules, steps, ok: steps.every((s) => s.problems.length === 0) };
}

function describe(step: Step): string {
  const note = step.note ? ` (${step.note})` : '';
  if ('scan' in step) return `${step.scan}${step.then === undefined ? '' : ` then ${step.then}`} at ${step.lane ?? 'main/in'}${note}`;
  if ('command' in step) return `command ${step.command}${note}`;
  if ('check' in step) return `check ${step.check}${note}`;
  return `trace ${step.trace}${note}`;
}

async function playStep(stage: Stage, step: Step, index: number, sender: (step: CommandStep) => CommandConsole): Promise<string[]> {
  try {
    if ('scan' in step) return await playScan(stage, step);
    if ('command' in step) return await playCommand(stage, step, index, sender);
    if ('check' in step) return await playCheck(stage, step);
    return playTrace(stage, step);
  } catch (error) {
    return [(error as Error).message];
  }
}

async function playCommand(stage: Stage, step: CommandStep, index: number, sender: (step: CommandStep) => CommandConsole): Promise<string[]> {
  const before = lastAlertRow(stage);
  const reply = await sender(step).send(step.command, { id: `scenario-${index}-${step.command}`, ...step.body });
  const data = reply.data as Record<string, unknown> | undefined;
  if (step.command === 'visitor' && typeof data?.code === 'string') stage.people.learnVisitorCode(String(step.body.passId), data.code);
  const problems: string[] = [];
  const expected = step.expect ?? { ok: true };
  if (reply.ok !== expected.ok) problems.push(`reply ok=${String(reply.ok)}, expected ${String(expected.ok)}: ${JSON.stringify(reply.error ?? {})}`);
  const error = reply.error as { code?: string } | undefined;
  if (expected.error !== undefined && error?.code !== expected.error) problems.push(`error ${error?.code ?? 'none'}, expected ${expected.error}`);
  if (expected.data !== undefined) problems.push(...describeMismatch('reply data', expected.data, data));
  if (expected.alerts) {
    const raised = alertsAfter(stage, before);
    const missing = expected.alerts.filter((type) => !raised.includes(type));
    if (missing.length > 0) problems.push(`alerts ${missing.join(', ')} not raised (raised: ${raised.join(', ') || 'none'})`);
  }
  return problems;
}

async function playCheck(stage: Stage, step: CheckStep): Promise<string[]> {
  const before = lastAlertRow(stage);
  const { gateway } = stage;
  const problems: string[] = [];
  if (step.check === 'exit-passes') gateway.rules.checkExitPasses();
  if (step.check === 'lists') gateway.rules.checkLists();
  if (step.check === 'stats') {
    const message = publishStats(gateway.db, gateway.journal.outbox, topicsFor(stage.prefix), stage.start, stage.clock.now() + 1);
    gateway.journal.announceEnqueued();
    const id = (JSON.parse(message.payload) as { id: string }).id;
    const published = await until(() => stage.received.find((m) => m.topic === `${stage.prefix}/stats` && m.body.id === id)?.body, 'the stats report on the broker');
    if (step.expect.stats !== undefined) problems.push(...describeMismatch('stats', step.expect.stats, published.gates));
  }
  const raised = alertsAfter(stage, before);
  if (step.expect.alerts && !sameMembers(step.expect.alerts, raised)) problems.push(`alerts [${raised.join(', ')}], expected [${step.expect.alerts.join(', ')}]`);
  return problems;
}

function playTrace(stage: Stage, step: TraceStep): string[] {
  const { gateway, people, start } = stage;
  const hashOf = (name: string) => gateway.journal.hashSubject(people.subject(name, gateway.estate.roster));
  const names = new Map(people.names().map((name) => [hashOf(name), name]));
  const range = { hashes: [hashOf(step.trace)], from: start + offsetMs(step.from), to: start + offsetMs(step.to) };
  const queries = new TraceQueries(gateway.db);
  const trail = queries.trail(range);
  const contacts = queries.contacts(range, (step.windowMinutes ?? 5) * 60_000).map((c) => names.get(c.subject) ?? `unknown:${c.subject}`);
  const problems: string[] = [];
  if (trail.length !== step.expect.trail) problems.push(`trail of ${trail.length} passages, expected ${step.expect.trail}`);
  const gates = [...new Set(trail.map((t) => t.gate))].sort();
  if (step.expect.gates && !sameMembers(step.expect.gates, gates)) problems.push(`trail gates [${gates.join(', ')}], expected [${step.expect.gates.join(', ')}]`);
  if (JSON.stringify(contacts) !== JSON.stringify(step.expect.contacts)) problems.push(`contacts [${contacts.join(', ')}], expected [${step.expect.contacts.join(', ')}]`);
  return problems;
}

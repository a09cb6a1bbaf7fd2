import { setTimeout as sleep } from 'node:timers/promises';
import type { PassageRecord } from '../../src/core/lane-types.js';
import type { VirtualBarrier } from '../../src/drivers/virtual/virtual-barrier.js';
import type { VirtualScanner } from '../../src/drivers/virtual/virtual-scanner.js';
import type { VirtualThermometer } from '../../src/drivers/virtual/virtual-thermometer.js';
import { describeMismatch, sameMembers } from './expect.js';
import { until, type Stage } from './stage.js';
import type { ScanStep } from './timeline.js';

/** A `then` code follows the first this long after it (real time; the step's clock runs at real speed). */
const THEN_AFTER_MS = 100;

/**
 * The person in front of the thermometer for one attempt: each measurement the
 * lane asks for reads the next value; after the last, the last repeats; `none`
 * means nobody is there (any more). Returns the undo.
 */
function standInFront(thermometer: VirtualThermometer, temperature: NonNullable<ScanStep['temperature']>): () => void {
  const sequence = Array.isArray(temperature) ? [...temperature] : [temperature];
  const measure = thermometer.measure.bind(thermometer);
  let index = 0;
  thermometer.measure = () => {
    const value = sequence[Math.min(index++, sequence.length - 1)];
    thermometer.present(value === 'none' ? undefined : value);
    measure();
  };
  return () => {
    thermometer.measure = measure;
    thermometer.present(undefined);
  };
}

/**
 * One person at one lane: they stand at the thermometer, scan their code,
 * walk through if released. Checks the decision the lane recorded, the alert
 * types stored with it, and that the passage and each alert reached the broker.
 */
export async function playScan(stage: Stage, step: ScanStep): Promise<string[]> {
  const { gateway, passages } = stage;
  const lane = step.lane ?? 'main/in';
  const temperature = step.temperature ?? 36.5;
  const [gateId, laneId] = lane.split('/') as [string, string];
  const runner = gateway.lanes.get(lane);
  const laneConfig = gateway.config.gates.find((g) => g.id === gateId)?.lanes.find((l) => l.id === laneId);
  if (!runner || !laneConfig) return [`no lane ${lane}`];
  const device = <T>(id: string | undefined) => (id === undefined ? undefined : (gateway.devices.get(id) as T | undefined));
  const thermometer = device<VirtualThermometer>(laneConfig.devices.thermometer);
  const barrier = device<VirtualBarrier>(laneConfig.devices.barrier);
  const restore = thermometer ? standInFront(thermometer, temperature) : () => {};
  barrier?.expectWalk(step.walk === false ? undefined : 10);

  const seen = passages.length;
  try {
    device<VirtualScanner>(laneConfig.devices.scanner)?.scan(stage.people.code(step.scan));
    if (step.then !== undefined) {
      await sleep(THEN_AFTER_MS);
      device<VirtualScanner>(laneConfig.devices.codeScanner ?? laneConfig.devices.scanner)?.scan(stage.people.code(step.then));
    }
    await until(() => passages[seen], `a decision at ${lane}`);
    await until(() => (runner.phase === 'idle' ? true : undefined), `lane ${lane} to be idle again`);
  } finally {
    restore();
  }
  const passage = passages[seen] as PassageRecord;

  const { expect } = step;
  const { decision } = passage;
  const problems: string[] = [];
  if (decision.verdict !== expect.verdict) problems.push(`verdict ${decision.verdict} (${decision.reasons.join(', ')}), expected ${expect.verdict}`);
  if (expect.reasons) problems.push(...describeMismatch('reasons', expect.reasons, decision.reasons));
  if (expect.drill !== undefined && (passage.drill ?? false) !== expect.drill) problems.push(`drill tag ${String(passage.drill ?? false)}, expected ${String(expect.drill)}`);
  const alerts = gateway.db.prepare('SELECT id, type FROM alerts WHERE passage_id = ?').all(passage.id) as Array<{ id: string; type: string }>;
  if (expect.alerts && !sameMembers(expect.alerts, alerts.map((a) => a.type))) {
    problems.push(`alerts [${alerts.map((a) => a.type).join(', ')}], expected [${expect.alerts.join(', ')}]`);
  }
  // The district must never miss one (estate plan, rule 7): each alert and the passage itself reach the broker.
  const published = (id: string) => stage.received.some((m) => m.body.id === id);
  await until(() => (alerts.every((a) => published(a.id)) && published(passage.id) ? true : undefined), `passage ${passage.id} and its alerts on the broker`);
  // A drill is told apart on the wire too (rule 8): the passage message and each alert's details carry the tag.
  const onWire = stage.received.filter((m) => m.body.id === passage.id || alerts.some((a) => a.id === m.body.id));
  const tagged = onWire.map((m) => m.body.drill ?? (m.body.details as Record<string, unknown> | undefined)?.drill ?? false);
  if (tagged.some((tag) => tag !== (passage.drill ?? false))) problems.push(`drill tags on the broker [${tagged.join(', ')}], expected all ${String(passage.drill ?? false)}`);
  return problems;
}

import { PassIssuer } from '../../src/demo/pass-issuer.js';
import { ChaosEstate } from './chaos-estate.js';
import { PtyLane } from './pty-lane.js';

export interface WalkedLanePlan {
  /** Virtual lanes under the demo crowd beside the serial lane. */
  lanes: number;
  arrivalEveryMs: number;
  /** A resident at the serial lane, whose barrier simulator is the witness, every this many ms. */
  ptyArrivalEveryMs: number;
}

export interface WalkedLane {
  lane: PtyLane;
  estate: ChaosEstate;
}

/**
 * A lane on real drivers over socat ptys beside the virtual crowd, with a
 * resident walking it while `faults` runs; then `report`, with the walking
 * stopped. The estate and the lane are taken down afterwards, whatever happened.
 */
export async function withWalkedPtyLane<T>(plan: WalkedLanePlan, log: (line: string) => void, faults: (walked: WalkedLane) => Promise<void>, report: (walked: WalkedLane) => Promise<T>): Promise<T> {
  const lane = await PtyLane.start();
  try {
    const estate = await ChaosEstate.open({ lanes: plan.lanes, arrivalEveryMs: plan.arrivalEveryMs, ptyLane: lane.ports, log });
    try {
      const demoIssuer = estate.secrets.demoIssuer;
      if (!demoIssuer) throw new Error('the chaos secrets have no demo issuer');
      const issuer = new PassIssuer(demoIssuer.kid, demoIssuer.privateKey);
      const walking = setInterval(() => lane.arrive(issuer), plan.ptyArrivalEveryMs);
      try {
        await faults({ lane, estate });
      } finally {
        clearInterval(walking);
      }
      return await report({ lane, estate });
    } finally {
      await estate.close();
    }
  } finally {
    await lane.stop();
  }
}

/** What a simulated unit does wrong, switchable at run time. */
export interface UnitFaults {
  /** Never answers (dead unit, wrong address, cut wire). */
  silent: boolean;
  /** Answers this much later than it could. */
  delayMs: number;
  /** The next N replies go out with a corrupted CRC. */
  crcErrors: number;
}

export function healthyFaults(): UnitFaults {
  return { silent: false, delayMs: 0, crcErrors: 0 };
}

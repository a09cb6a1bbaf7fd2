import type { Listener, PlateReader, Scanner, Thermometer } from '../device.js';
import { LineDevice } from './line-device.js';
import { bodyTemperature, isPlausible } from './temperature.js';

/** A code or card scanner: every frame is one scan. */
export class LineScanner extends LineDevice implements Scanner {
  readonly role = 'scanner' as const;
  private readonly codes = this.channel<{ code: string; at: number }>('code');

  onCode(listener: Listener<{ code: string; at: number }>): void {
    this.codes.add(listener);
  }

  protected accept(code: string): void {
    this.codes.emit({ code, at: this.clock.now() });
  }
}

/**
 * A licence-plate camera: every frame is one recognised plate. On a vehicle
 * lane it sits in the scanner slot, where the plate is the code the lane
 * decides on (docs/rules.md), so it also speaks `onCode`.
 */
export class LinePlateReader extends LineDevice implements PlateReader {
  readonly role = 'plate-reader' as const;
  private readonly plates = this.channel<{ plate: string; at: number }>('plate');

  onPlate(listener: Listener<{ plate: string; at: number }>): void {
    this.plates.add(listener);
  }

  onCode(listener: Listener<{ code: string; at: number }>): void {
    this.plates.add(({ plate, at }) => listener({ code: plate, at }));
  }

  protected accept(plate: string): void {
    this.plates.emit({ plate, at: this.clock.now() });
  }
}

/** A self-triggering thermometer pushing ASCII readings; `measure()` has nothing to ask it. */
export class LineThermometer extends LineDevice implements Thermometer {
  readonly role = 'thermometer' as const;
  /** Each pushed line is a measurement of its own. */
  readonly sampleRefreshMs = 0;
  private readonly readings = this.channel<{ celsius: number; at: number }>('reading');

  onReading(listener: Listener<{ celsius: number; at: number }>): void {
    this.readings.add(listener);
  }

  measure(): void {}

  protected accept(value: string): void {
    const { compensation, plausible } = this.context.profile;
    const celsius = bodyTemperature(Number(value), compensation, this.context.calibrationOffset);
    if (!plausible || !isPlausible(celsius, plausible)) {
      this.log.debug({ value }, 'implausible reading dropped');
      return;
    }
    this.readings.emit({ celsius, at: this.clock.now() });
  }
}

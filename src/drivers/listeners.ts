import type { Listener } from './device.js';

/**
 * A minimal typed event channel. One listener's exception never reaches the
 * device driver or the other listeners: it is reported to `onError`.
 */
export class Listeners<T> {
  private readonly listeners: Listener<T>[] = [];

  constructor(private readonly onError: (error: unknown) => void = () => {}) {}

  add(listener: Listener<T>): void {
    this.listeners.push(listener);
  }

  emit(value: T): void {
    for (const listener of this.listeners) {
      try {
        listener(value);
      } catch (error) {
        this.onError(error);
      }
    }
  }
}

/** Time as data: the core never reads the system clock. Milliseconds since the Unix epoch. */
export interface Clock {
  now(): number;
}

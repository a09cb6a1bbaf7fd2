/** One benchmark's outcome, as stored in bench/results and rendered into docs/BENCHMARKS.md. */
export interface BenchResult {
  name: string;
  title: string;
  /** The command that reproduces exactly this figure. */
  command: string;
  /** Rows of the result table: label → value with its unit in the label. */
  figures: Record<string, number | string>;
  notes?: string[];
  ranAt: string;
}

export interface BenchContext {
  /** Scale factor from --quick (0.1) for a smoke run; 1 for the published figures. */
  scale: number;
  log: (line: string) => void;
}

export type Bench = (context: BenchContext) => Promise<Omit<BenchResult, 'ranAt'>>;

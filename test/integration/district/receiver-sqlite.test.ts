import { describe } from 'vitest';
import { receiverScenario } from './receiver-scenario.js';

describe('district receiver on the embedded broker, SQLite store', () => {
  receiverScenario(async (dir) => ({ setup: { type: 'sqlite', dir }, close: async () => {} }));
});

import { POSTGRES_TOOLS, startPostgres } from '../../../support/brokers/postgres.js';
import { describeWithTools } from '../../../support/tools/system-tools.js';
import { receiverScenario } from './receiver-scenario.js';

/** The same scenario on a real PostgreSQL 15 (Debian's postgresql, started in a temp dir). */
describeWithTools(POSTGRES_TOOLS, 'district receiver on the embedded broker, PostgreSQL store', () => {
  receiverScenario(async () => {
    const postgres = await startPostgres();
    return { setup: { type: 'postgres', url: postgres.url }, close: () => postgres.stop() };
  });
});

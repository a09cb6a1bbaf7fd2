// Moved to support/ (issue 13); kept only for test/integration/district and test/helpers/postgres.ts until they import it from there.
export * from '../../support/tools/system-tools.js';

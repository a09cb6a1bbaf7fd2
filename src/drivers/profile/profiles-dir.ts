import { fileURLToPath } from 'node:url';

/**
 * The shipped `devices/` directory. Resolved from this module, so it is the
 * same from src/ (tsx, tests) and dist/ (npm start, the package): both sit
 * three levels below the package root.
 */
export const SHIPPED_PROFILES_DIR = fileURLToPath(new URL('../../../devices', import.meta.url));

// Until suite/integrity.ts imports lib/pool.ts.
export { mapLimit } from '../lib/pool.ts';

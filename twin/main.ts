// `npm run twin -- [options]`: the HMP twin on the command line. Also a crash
// fault's successor (restart.ts: HMP_TWIN_RESTART in its env). Its stop
// handlers come before the server's import: a twin stopped in its restart
// delay or while it starts still removes what it owns.
import { ConfigError, DEFAULT_ADMIN_PASSWORD, USAGE, parseTwinArgs } from './config.ts';
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeAtomic } from '../lib/atomic-file.ts';
import { faultRecordPath } from './fault-record.ts';
import { faultLabel } from './fault-schedule.ts';
import { crashDatabaseDir, crashDatabasePath, die, giveUp, takeRestart, waitOutRestart } from './restart.ts';

const restart = takeRestart(process.env);
let parsed;
try {
  parsed = parseTwinArgs(process.argv.slice(2), process.env);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(`twin: ${err.message}`);
  process.exit(2);
}
if (parsed === 'help') {
  console.log(USAGE);
  process.exit(0);
}
const config = parsed;

// A crash that restarts keeps the database in a file; the last process to stop removes its folder.
const dbDir = restart ? restart.dbDir : crashDatabaseDir(config);
if (restart) Object.assign(config, { port: restart.port, db: restart.db });
else if (dbDir) config.db = crashDatabasePath(dbDir);
const recordPath = faultRecordPath(config);
/** Stopped before it serves (a successor in its restart delay, or any twin still starting): it was the last process. */
const abandon = () => {
  if (restart) giveUp(restart, recordPath);
  else if (dbDir) rmSync(dbDir, { recursive: true, force: true });
};
const stopEarly = () => {
  abandon();
  process.exit(0);
};
process.once('SIGINT', stopEarly);
process.once('SIGTERM', stopEarly);
if (config.pidFile) writeAtomic(config.pidFile, `${process.pid}\n`);
if (restart) await waitOutRestart(restart);

const { startTwin } = await import('./server.ts');
try {
  const twin = await startTwin(config, {
    die: (death) => die(death, { argv: process.argv.slice(2), pidFile: config.pidFile, recordPath, dbDir }),
    ...(restart
      ? {
          inherit: {
            adminKey: Buffer.from(restart.adminKey, 'hex'),
            serverPublicKey: Buffer.from(restart.serverPublicKey, 'base64'),
            origin: restart.origin,
            diedAt: restart.diedAt,
          },
        }
      : {}),
  });
  const password = config.adminPassword === DEFAULT_ADMIN_PASSWORD ? `password "${DEFAULT_ADMIN_PASSWORD}" (the twin's public default)` : 'password from HMP_TWIN_ADMIN_PASSWORD';
  // As on a real deployment, the v1.0 conversion needs the server key from the configuration
  // (GET /credentials/public-key answers 401 unless --serve-server-key): print it, and keep it beside
  // the credentials (written before "listening on", which launchers wait for).
  const serverKey = Buffer.from(twin.serverPublicKey).toString('base64');
  const keyPath = join(dirname(twin.adminCredentialsPath), 'twin-server-public-key.txt');
  writeFileSync(keyPath, `${serverKey}\n`);
  console.log(`HMP twin (API v${config.apiVersion}) listening on ${twin.url}`);
  console.log(`admin credentials: ${twin.adminCredentialsPath} (user ${twin.adminUserId}, ${password})`);
  console.log(`server public key: ${serverKey} (also in ${keyPath}; for v1.0 conversions: HMP_SERVER_PUBLIC_KEY=$(cat ${keyPath}))`);
  const knobs = Object.entries(config).filter(([k, v]) => ['capacity', 'errorRate', 'resetRate', 'leakKbPerRequest', 'degradeMsPerMin', 'dropUploads'].includes(k) && v !== 0);
  if (knobs.length || Object.keys(config.latencyMs).length) {
    console.log(`knobs: ${[...knobs.map(([k, v]) => `${k}=${v}`), ...Object.entries(config.latencyMs).map(([k, v]) => `latency.${k}=${v}ms`)].join(' ')}`);
  }
  if (config.faults.length) {
    console.log(`faults: ${config.faults.map(faultLabel).join(' ')} (fault clock: ${config.faultClock === 'start' ? 'the twin\'s start' : 'the first login of a user who is not the admin'}; record: ${recordPath})`);
  }
  const stop = async () => {
    await twin.close();
    if (dbDir) rmSync(dbDir, { recursive: true, force: true });
    process.exit(0);
  };
  process.off('SIGINT', stopEarly).once('SIGINT', stop);
  process.off('SIGTERM', stopEarly).once('SIGTERM', stop);
} catch (err) {
  abandon();
  if (err instanceof ConfigError) {
    console.error(`twin: ${err.message}`);
    process.exit(2);
  }
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'EADDRINUSE') {
    console.error(`twin: port ${config.port} is already in use; pick another with --port N (0 = any free port).`);
    process.exit(2);
  }
  throw err;
}

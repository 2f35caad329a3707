// `npm run twin -- [options]`: the HMP twin on the command line.
import { ConfigError, DEFAULT_ADMIN_PASSWORD, USAGE, parseTwinArgs } from './config.ts';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startTwin } from './server.ts';

let config;
try {
  config = parseTwinArgs(process.argv.slice(2), process.env);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(`twin: ${err.message}`);
  process.exit(2);
}
if (config === 'help') {
  console.log(USAGE);
  process.exit(0);
}

try {
  const twin = await startTwin(config);
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
  const stop = async () => {
    await twin.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (err) {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'EADDRINUSE') {
    console.error(`twin: port ${config.port} is already in use; pick another with --port N (0 = any free port).`);
    process.exit(2);
  }
  throw err;
}

// Starts the HMP twin: from tests (startTwin) and from the CLI (main.ts).
import { writeAtomic } from '../lib/atomic-file.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { encodeCredentialsFile, newPrivateKey, publicKeyOf } from '../lib/hmp-crypto.ts';
import { mulberry32 } from '../plugins/artillery-plugin-hmp/prng.ts';
import { LEVEL } from './access.ts';
import { rawBodyParser } from './body.ts';
import { CapacityGate } from './capacity.ts';
import { ConfigError, defaultConfig, type TwinConfig } from './config.ts';
import { handleConnections } from './connections.ts';
import { writeServerLog } from './server-log.ts';
import { openDatabase } from './db.ts';
import { Faults } from './faults.ts';
import { ScheduledFaults, type CrashHook } from './fault-effects.ts';
import { faultRecordPath } from './fault-record.ts';
import type { CrashFault } from './fault-schedule.ts';
import type { TwinState } from './router.ts';
import { registerAdmin } from './routes/admin.ts';
import { insertUser, registerAuth } from './routes/auth.ts';
import { registerConvert } from './routes/convert.ts';
import { registerProjects } from './routes/projects.ts';
import { registerSubmissions } from './routes/submissions.ts';
import { ServerBlock } from './server-block.ts';
import { Tokens } from './tokens.ts';

const BODY_LIMIT = 64 * 1024 * 1024;

export interface TwinHandle {
  url: string;
  port: number;
  config: TwinConfig;
  adminCredentialsPath: string;
  adminPassword: string;
  adminUserId: number;
  /** The server's own public key (for a suite configured with it when the endpoint 401s). */
  serverPublicKey: Uint8Array;
  /** blocked: a v1.0 conversion holds the server; resets: connections reset unanswered (--reset-rate, and stale keep-alive ones after a block). */
  stats(): { inFlight: number; queued: number; blocked: boolean; resets: number };
  close(): Promise<void>;
}

/** What a crash fault's successor needs to serve the same data (restart.ts). */
export interface Death {
  fault: CrashFault;
  diedAt: number;
  /** The fault clock's origin, so that the successor keeps the same schedule. */
  origin: number;
  port: number;
  db: string;
  jwtSecret: string;
  adminKey: Uint8Array;
  serverPublicKey: Uint8Array;
}

export interface StartOptions {
  /** Ends the process at a crash fault (restart.ts, from main.ts); without it crash faults are refused (a twin in a test's process). */
  die?: (death: Death) => void;
  /** A crash's successor: the keys and the fault clock of the process it replaces. */
  inherit?: { adminKey: Uint8Array; serverPublicKey: Uint8Array; origin: number; diedAt: number };
}

export async function startTwin(options: Partial<TwinConfig> = {}, start: StartOptions = {}): Promise<TwinHandle> {
  // In-process twins without a path keep the admin's key in a folder of their own, removed on close.
  const ownDir = options.adminCredentialsPath ? undefined : mkdtempSync(join(tmpdir(), 'hmp-twin-'));
  const config: TwinConfig = {
    ...defaultConfig(),
    port: 0,
    ...options,
    adminCredentialsPath: options.adminCredentialsPath ?? join(ownDir!, 'admin.bin'),
  };
  const crashes = config.faults.some((f) => f.kind === 'crash');
  if (crashes && !start.die) {
    if (ownDir) rmSync(ownDir, { recursive: true, force: true });
    throw new ConfigError('--fault crash needs the twin in a process of its own: start it with npm run twin or startTwinProcess (twin/launch.ts).');
  }
  const db = openDatabase(config.db, { crashSafe: crashes });
  const jwtSecret = config.jwtSecret ?? randomBytes(32).toString('hex');
  const schedule = new ScheduledFaults({
    faults: config.faults,
    clock: config.faultClock,
    recordPath: faultRecordPath(config),
    ...(start.inherit ? { inherited: { origin: start.inherit.origin, diedAt: start.inherit.diedAt } } : {}),
  });
  const poolLeak = config.faults.some((f) => f.kind === 'pool-leak');
  const state: TwinState = {
    config,
    db,
    tokens: new Tokens(jwtSecret, config.jwtLifetimeS),
    faults: new Faults(config, config.seed === undefined ? Math.random : mulberry32(config.seed ^ 0x5eed)),
    schedule,
    gate: new CapacityGate(config, poolLeak ? () => schedule.poolLeaked() : undefined),
    block: new ServerBlock(),
    rand: config.seed === undefined ? Math.random : mulberry32(config.seed),
  };

  // The admin, as the real deployment's: CONFIDENTIAL with 4 in integrity (a crash's successor keeps its key).
  const adminKey = start.inherit?.adminKey ?? newPrivateKey();
  const adminPub = await publicKeyOf(adminKey);
  const existing = db.prepare("SELECT id FROM users WHERE email = 'admin@hmp.twin'").get() as { id: number } | undefined;
  if (existing) db.prepare('UPDATE users SET public_key = ? WHERE id = ?').run(adminPub, existing.id);
  const adminUserId =
    existing?.id ??
    insertUser(state, {
      name: 'Twin',
      surname: 'Admin',
      email: 'admin@hmp.twin',
      confidentiality_level: LEVEL.CONFIDENTIAL,
      integrity_levels: [LEVEL.CONFIDENTIAL],
      public_key: Buffer.from(adminPub).toString('base64'),
    });
  // Mode 0600: it holds a private key.
  writeAtomic(config.adminCredentialsPath, await encodeCredentialsFile({ userId: adminUserId, privateKey: adminKey }, config.adminPassword), { mode: 0o600 });
  const serverPublicKey = start.inherit?.serverPublicKey ?? (await publicKeyOf(newPrivateKey()));

  const app = Fastify({ bodyLimit: BODY_LIMIT, routerOptions: { ignoreTrailingSlash: true }, logger: false, forceCloseConnections: true });
  // Bodies reach handlers raw: they decode JSON/CBOR themselves, with upstream's error codes.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', rawBodyParser(BODY_LIMIT));
  app.setNotFoundHandler((_req, reply) => {
    reply.code(404).type('application/json').send(JSON.stringify({ detail: 'Not Found' }));
  });
  const connections = handleConnections(app, state.block, config.keepAliveTimeoutS * 1000);
  const log = config.logFile ? writeServerLog(app, config.logFile) : undefined;
  registerAuth(app, state);
  registerProjects(app, state);
  registerSubmissions(app, state);
  registerConvert(app, state, serverPublicKey);
  registerAdmin(app, state);

  // A crash resets the connections open at that moment (a killed process's, with nothing left unsent).
  const sockets = new Set<Socket>();
  if (crashes) {
    app.server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
  }

  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  log?.listening(url);
  const die: CrashHook | undefined =
    start.die &&
    ((fault, diedAt, origin) => {
      // As a SIGKILL'd uvicorn: no goodbye lines, open connections reset, the port refusing at once.
      for (const socket of sockets) socket.resetAndDestroy();
      app.server.close();
      start.die!({ fault, diedAt, origin, port, db: config.db, jwtSecret, adminKey, serverPublicKey });
    });
  schedule.arm(adminUserId, die);
  return {
    url,
    port,
    config,
    adminCredentialsPath: config.adminCredentialsPath,
    adminPassword: config.adminPassword,
    adminUserId,
    serverPublicKey,
    stats: () => ({ inFlight: state.gate.inFlight, queued: state.gate.queued, blocked: state.block.active, resets: state.faults.resets + connections.resets }),
    close: async () => {
      schedule.close();
      state.gate.close(); // a stalled request would otherwise wait out its pool timeout
      await app.close();
      await log?.close();
      db.close();
      if (ownDir) rmSync(ownDir, { recursive: true, force: true });
    },
  };
}

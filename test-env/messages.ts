// One sentence per failure (pure): what happened, and what to do next.
import { HmpHttpError, HmpTimeoutError, HmpUnreachableError } from '../lib/hmp-client.ts';

export interface Explained {
  what: string;
  todo?: string;
}

/** A failure already put into words; `exitCode` 2 = wrong input, found before the server is contacted (nothing changed), 1 = the work failed. */
export class Failure extends Error {
  readonly explained: Explained;
  readonly exitCode: number;

  /** `cause`: the error put into words, for HMP_DEBUG's stack. */
  constructor(explained: Explained, exitCode = 1, cause?: unknown) {
    super(sentence(explained), cause === undefined ? undefined : { cause });
    this.name = 'Failure';
    this.explained = explained;
    this.exitCode = exitCode;
  }
}

export function sentence(e: Explained): string {
  const text = e.todo ? `${e.what}; ${e.todo}` : e.what;
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

export interface ExplainContext {
  target: string;
  credentialsPath: string;
  /** The admin's user id, once the credentials file is open. */
  userId?: number;
}

function httpWhat(err: HmpHttpError): string {
  const status = err.bodyStatus === undefined ? `${err.status}` : `${err.status} with an error list saying ${err.bodyStatus}`;
  return `${err.endpoint} answered ${status}: ${err.detail}`;
}

/** Puts any error from a run into one sentence's parts. */
export function explain(err: unknown, ctx: ExplainContext): Explained {
  if (err instanceof Failure) return err.explained;
  if (err instanceof HmpUnreachableError) {
    return { what: `the target ${ctx.target} is not reachable (${err.code})`, todo: 'check --target and that the server is running' };
  }
  if (err instanceof HmpTimeoutError) {
    return {
      what: `the target ${ctx.target} did not answer ${err.endpoint} within ${err.timeoutMs / 1000} s`,
      todo: 'check that the server is up and not overloaded, or raise --timeout',
    };
  }
  if (err instanceof HmpHttpError) {
    const who = ctx.userId === undefined ? 'the user in the credentials file' : `user ${ctx.userId} from ${ctx.credentialsPath}`;
    const adminOnly = err.endpoint.includes('/admin/load-test/') || err.endpoint.endsWith(' /auth/users');
    if (err.status === 403 && adminOnly) {
      return {
        what: `${who} is not an admin on ${ctx.target} (${httpWhat(err)})`,
        todo: 'use the credentials file of an HMP admin (confidentiality 4)',
      };
    }
    if (err.status === 404 && err.endpoint.includes('/admin/load-test/')) {
      const path = err.endpoint.split(' ')[1];
      return {
        what: `${ctx.target} has no ${path} endpoint (an older HMP deployment answers 404)`,
        todo: 'run again with --via api to use the regular admin API instead',
      };
    }
    if (err.status === 400 && err.endpoint === 'POST /admin/load-test/up') {
      return {
        what: `${ctx.target} already holds load-test data (${httpWhat(err)})`,
        todo: 'remove it with "down --force" and run up again',
      };
    }
    if (err.status === 400 && err.endpoint === 'POST /auth/users') {
      return {
        what: `${ctx.target} refused to create a test user (${httpWhat(err)}), probably because test users from an earlier run are still there`,
        todo: 'remove them first (down), then run up again',
      };
    }
    if (err.status === 401) {
      return { what: `${ctx.target} refused the login token (${httpWhat(err)})`, todo: 'run again; if it persists, check the server clock and JWT lifetime' };
    }
    return { what: httpWhat(err), todo: 'check the server log for the cause and run again' };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { what: `unexpected error: ${message.split('\n')[0]}`, todo: 'set HMP_DEBUG=1 to see the stack' };
}

/** Errors of the admin's own login, which mean something about the credentials file. */
export function explainAdminLogin(err: unknown, ctx: ExplainContext & { userId: number }): Explained {
  if (err instanceof HmpHttpError && err.endpoint === 'POST /auth/challenge') {
    if (err.status === 404) {
      return {
        what: `user ${ctx.userId} from ${ctx.credentialsPath} does not exist on ${ctx.target}`,
        todo: 'check that --target and --credentials belong to the same server',
      };
    }
    if (err.status === 400) {
      return { what: `the account of user ${ctx.userId} on ${ctx.target} has expired (${err.detail})`, todo: 'use the credentials of an active admin' };
    }
  }
  if (err instanceof HmpHttpError && err.endpoint === 'POST /auth/login' && err.status === 400) {
    return {
      what: `${ctx.target} rejected the key in ${ctx.credentialsPath} for user ${ctx.userId} (${err.detail})`,
      todo: 'check that --target and --credentials belong to the same server',
    };
  }
  return explain(err, ctx);
}

/** A word as the shell reads it: as is when safe, else single-quoted. */
function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`;
}

/** The command that finishes a teardown later; it holds paths and the target, never the password. */
export function downCommand(o: { target: string; credentialsPath: string; dataPath: string; via?: string; force?: boolean }): string {
  const args = ['down', '--target', o.target, '--credentials', o.credentialsPath, '--data', o.dataPath];
  if (o.via) args.push('--via', o.via);
  if (o.force) args.push('--force');
  return `npm run test-env -- ${args.map(shellWord).join(' ')}`;
}

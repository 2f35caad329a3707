// A request error ends the session, not the user (pure parts of the
// engine wrap): only request steps are wrapped, an error becomes a failed
// session with Artillery's errors.<code> kept, the callback runs once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isRequestStep, keepUserOnError, patchEngine } from '../plugins/artillery-plugin-hmp/request-errors.ts';

test('request steps only: a loop, a function or a think step is left as it is', () => {
  assert.equal(isRequestStep({ get: { url: '/project/' } }), true);
  assert.equal(isRequestStep({ post: { url: '/auth/login' } }), true);
  assert.equal(isRequestStep({ loop: [], whileTrue: 'x' }), false);
  assert.equal(isRequestStep({ function: 'think' }), false);
  assert.equal(isRequestStep({ think: 1 }), false);
});

test('an error: counted as errors.<code>, the session marked failed, the VU goes on; the engine\'s second report is ignored', () => {
  const emitted: unknown[][] = [];
  const ee = { emit: (...a: unknown[]) => emitted.push(a) };
  const err = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
  const step = (_c: unknown, cb: (e?: Error | null, c?: unknown) => void) => {
    cb(err);
    cb(err); // got reports a stream error and a promise rejection for one request
  };
  const context = { vars: {} as Record<string, unknown> };
  const calls: unknown[][] = [];
  keepUserOnError(step, ee)(context, (...a) => calls.push(a));
  assert.deepEqual(calls, [[null, context]]);
  assert.deepEqual(emitted, [['error', 'ECONNRESET']]);
  assert.equal(context.vars.$hmpRequestFailed, true);
  // A success passes through untouched.
  const ok: unknown[][] = [];
  keepUserOnError((c, cb) => cb(null, c), ee)(context, (...a) => ok.push(a));
  assert.deepEqual(ok, [[null, context]]);
});

test('patchEngine wraps request steps once, whatever the number of calls', () => {
  const made: string[] = [];
  class Engine {
    step(spec: Record<string, unknown>) {
      made.push(Object.keys(spec)[0]!);
      return (_c: unknown, cb: (e?: Error | null) => void) => cb(new Error('x'));
    }
  }
  patchEngine(Engine as any);
  patchEngine(Engine as any);
  const e = new Engine() as any;
  const calls: unknown[][] = [];
  e.step({ get: { url: '/' } }, { emit: () => {} })({ vars: {} }, (...a: unknown[]) => calls.push(a));
  e.step({ function: 'f' }, { emit: () => {} })({ vars: {} }, (...a: unknown[]) => calls.push(a));
  assert.equal(calls[0]![0], null, 'the request step: error turned into a failed session');
  assert.ok(calls[1]![0] instanceof Error, 'the function step: untouched');
  assert.deepEqual(made, ['get', 'function']);
});

// Sessions: the per-session action weights (decks), think time and backoff
// math, settings, and the session loop contract with the closed-model gate.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mulberry32 } from '../plugins/artillery-plugin-hmp/prng.ts';
import { backoffMs, pollIntervalMs } from '../processors/convert.ts';
import { Deck, pickDistinct } from '../processors/pick.ts';
import { MIXES, PROFILES, mixNamed, profileNamed, type Profile } from '../processors/profiles.ts';
import { RoleDealer } from '../processors/roles.ts';
import { beginSession, decksFor, endSession, rollSession, userStaysOn } from '../processors/session.ts';
import { parseSettings, SettingsError, thinkRangeS, timeoutS, timeScaleOf } from '../processors/settings.ts';
import { think, thinkMs } from '../processors/think.ts';
import { sessionOk } from '../processors/vars.ts';
import type { VuContext } from '../processors/types.ts';
import { EventEmitter } from 'node:events';

const SESSIONS = 250;
const SEEDS = [1, 2, 3, 42, 2024, 99_991];

/** Share (0..1) of sessions for which `pick` is true, over SESSIONS rolls. */
function share(profile: Profile, seed: number, pick: (plan: ReturnType<typeof rollSession>) => number, per = SESSIONS): number {
  const decks = decksFor(profile, mulberry32(seed));
  let n = 0;
  let total = 0;
  for (let i = 0; i < per; i++) {
    const plan = rollSession(profile, decks);
    n += pick(plan);
    total += 1;
  }
  return n / total;
}

function within5(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= 0.05, `${what}: ${(actual * 100).toFixed(1)}% vs ${(expected * 100).toFixed(1)}% (more than 5 points off)`);
}

describe('per-session weights hold within 5 points over 250 sessions, for any seed', () => {
  for (const seed of SEEDS) {
    test(`seed ${seed}`, () => {
      const s = PROFILES.student!;
      const i = PROFILES.instructor!;
      within5(share(s, seed, (p) => p.uploads), 0.2, 'student uploads (plan 5.1: 0.2x)');
      within5(share(s, seed, (p) => (p.projectDetails === 1 ? 1 : 0)), 0.5, 'student 1 project detail (plan 5.1: 1-2x)');
      within5(share(s, seed, (p) => (p.projectDetails === 2 ? 1 : 0)), 0.5, 'student 2 project details');
      within5(share(i, seed, (p) => p.conversions), 0.2, 'instructor conversions (plan 5.1: 0.2x)');
      for (const n of [1, 2, 3]) within5(share(i, seed, (p) => (p.reads.length === n ? 1 : 0)), 1 / 3, `instructor ${n} reads (plan 5.1: 1-3x)`);
      const kinds = (() => {
        const decks = decksFor(i, mulberry32(seed));
        const all = Array.from({ length: SESSIONS }, () => rollSession(i, decks).reads).flat();
        return all.filter((k) => k === 'hash').length / all.length;
      })();
      within5(kinds, 0.5, 'instructor reads that are /hash (content or hash)');
      within5(share(PROFILES.spike_student!, seed, (p) => p.uploads), 1, 'spike student uploads (plan 5.2: 1x)');
      within5(share(PROFILES.spike_instructor!, seed, (p) => p.conversions), 0.5, 'spike instructor conversions (plan 5.2: 0.5x)');
      within5(share(PROFILES.spike_instructor!, seed, (p) => (p.reads.length === 2 ? 1 : 0)), 0.5, 'spike instructor 2 contents (plan 5.2: 1-2x)');
    });
  }

  test('a deck is exact over every full deck and off by less than one card in between', () => {
    const deck = new Deck([1, 0, 0, 0, 0], mulberry32(5));
    let ones = 0;
    for (let n = 1; n <= 1000; n++) {
      ones += deck.draw();
      assert.ok(Math.abs(ones - n / 5) < 1, `after ${n} draws: ${ones} ones`);
    }
  });

  test('smoke sessions do everything, reads in order: hash then content', () => {
    const decks = decksFor(PROFILES.smoke!, mulberry32(1));
    for (let i = 0; i < 5; i++) {
      assert.deepEqual(rollSession(PROFILES.smoke!, decks), { projectDetails: 1, uploads: 1, reads: ['hash', 'content'], conversions: 1 });
    }
  });

  test('pickDistinct never repeats and takes all when there are fewer', () => {
    const rand = mulberry32(3);
    assert.deepEqual(pickDistinct([1, 2, 3], 5, rand).sort(), [1, 2, 3]);
    const two = pickDistinct([1, 2, 3, 4, 5], 2, rand);
    assert.equal(new Set(two).size, 2);
  });

  test('an unknown scenario or profile name says which names are known', () => {
    assert.throws(() => mixNamed('student'), /scenario "student" has no role mix: name it one of average, spike, smoke/);
    assert.throws(() => mixNamed('toString'), /has no role mix/, 'nothing inherited counts as a mix');
    assert.throws(() => profileNamed('students'), /there is no session profile "students": known are student, instructor/);
  });
});

describe('roles: each VU is dealt one from its mix\'s shuffle bag', () => {
  const dealAll = (dealer: RoleDealer, mix: string, n: number) => Array.from({ length: n }, () => profileNamed(dealer.deal(mix)).role);
  const students = (roles: string[]) => roles.filter((r) => r === 'student').length;

  for (const seed of SEEDS) {
    test(`seed ${seed}: exact over every full bag (average 4:1, spike 19:1), off by less than one card in between`, () => {
      const dealer = new RoleDealer(mulberry32(seed));
      for (const [mix, size, share] of [['average', 5, 0.8], ['spike', 20, 0.95]] as const) {
        const roles = dealAll(dealer, mix, 10 * size);
        for (let n = 1; n <= roles.length; n++) {
          const s = students(roles.slice(0, n));
          assert.ok(Math.abs(s - n * share) < 1, `${mix}: ${s} students among the first ${n} VUs`);
          if (n % size === 0) assert.equal(s, n * share, `${mix}: exact after ${n} VUs`);
        }
      }
    });
  }

  test('10 VUs of the average mix are always 8 students and 2 instructors (a random pick per VU gives no instructor in ~11% of runs)', () => {
    for (let seed = 0; seed < 200; seed++) assert.equal(students(dealAll(new RoleDealer(mulberry32(seed)), 'average', 10)), 8);
  });

  test('one bag per mix: dealing in one mix does not move another\'s', () => {
    const a = new RoleDealer(mulberry32(7));
    const b = new RoleDealer(mulberry32(7));
    dealAll(b, 'smoke', 3);
    assert.deepEqual(dealAll(b, 'average', 5).sort(), dealAll(a, 'average', 5).sort());
  });

  test('HMP_ROLE pins every VU to the mix\'s profile of that role; the smoke test has none', () => {
    const dealer = new RoleDealer(mulberry32(1));
    assert.equal(dealer.deal('average', 'instructor'), 'instructor');
    assert.equal(dealer.deal('spike', 'student'), 'spike_student');
    assert.equal(dealer.deal('spike', 'instructor'), 'spike_instructor');
    assert.throws(() => dealer.deal('smoke', 'student'), /HMP_ROLE is student, but scenario "smoke" has no student profile \(it has smoke\): unset HMP_ROLE/);
    assert.equal(parseSettings({ HMP_ROLE: 'instructor' }).role, 'instructor');
    assert.equal(parseSettings({ HMP_ROLE: '' }).role, undefined);
    assert.throws(() => parseSettings({ HMP_ROLE: 'admin' }), /HMP_ROLE must be student or instructor \(or unset: roles dealt by the mix\), got "admin"/);
  });

  test('every mix names existing profiles, of the roles the plan gives it', () => {
    for (const [name, mix] of Object.entries(MIXES)) {
      for (const profile of Object.keys(mix)) assert.ok(PROFILES[profile], `${name}: ${profile}`);
    }
  });
});

describe('think time, backoff and polling', () => {
  test('think time is uniform in the range, times the scale', () => {
    const rand = mulberry32(9);
    for (let i = 0; i < 200; i++) {
      const ms = thinkMs([5, 15], 1, rand);
      assert.ok(ms >= 5000 && ms <= 15000, String(ms));
      const scaled = thinkMs([5, 15], 0.01, rand);
      assert.ok(scaled >= 50 && scaled <= 150, String(scaled));
    }
    assert.equal(thinkMs([5, 15], 0, rand), 0);
  });

  test('the think range: env over config.variables over the profile', () => {
    const none = parseSettings({});
    assert.deepEqual(thinkRangeS(none, {}, [5, 15]), [5, 15]);
    assert.deepEqual(thinkRangeS(none, { thinkMin: 1, thinkMax: 2 }, [5, 15]), [1, 2]);
    assert.deepEqual(thinkRangeS(parseSettings({ HMP_THINK_MIN: '0.5', HMP_THINK_MAX: '0.7' }), { thinkMin: 1, thinkMax: 2 }, [5, 15]), [0.5, 0.7]);
    assert.deepEqual(thinkRangeS(parseSettings({ HMP_THINK_MIN: '20' }), {}, [5, 15]), [20, 20]);
  });

  test('time scale: the plugin\'s, else HMP_TIME_SCALE, else config.variables, else 1', () => {
    assert.equal(timeScaleOf(parseSettings({}), {}, undefined), 1);
    assert.equal(timeScaleOf(parseSettings({}), { timeScale: 0.5 }, undefined), 0.5);
    assert.equal(timeScaleOf(parseSettings({ HMP_TIME_SCALE: '0.01' }), { timeScale: 0.5 }, undefined), 0.01);
    assert.equal(timeScaleOf(parseSettings({ HMP_TIME_SCALE: '0.01' }), {}, 0.2), 0.2);
  });

  test('busy backoff doubles from 1 s to a 30 s cap, with 50-100% jitter, never below 100 ms', () => {
    const low = () => 0;
    const high = () => 0.999999;
    assert.equal(backoffMs(1, 1, low), 500);
    assert.equal(backoffMs(2, 1, low), 1000);
    assert.equal(backoffMs(3, 1, high), 4000);
    assert.equal(backoffMs(10, 1, high), 30_000);
    assert.equal(backoffMs(3, 0.05, high), 200);
    assert.equal(backoffMs(3, 0, high), 100);
  });

  test('status polls start at 0.5 s and grow to 5 s, never below 10 ms', () => {
    assert.equal(pollIntervalMs(0, 1), 500);
    assert.equal(pollIntervalMs(1, 1), 750);
    assert.equal(pollIntervalMs(20, 1), 5000);
    assert.equal(pollIntervalMs(0, 0), 10);
  });

  test('client timeouts: 30 s, conversions 300 s; config.variables and env override', () => {
    const none = parseSettings({});
    assert.equal(timeoutS(none, {}, 'default'), 30);
    assert.equal(timeoutS(none, {}, 'convert'), 300);
    assert.equal(timeoutS(none, { httpTimeout: 10, convertTimeout: 600 }, 'convert'), 600);
    const env = parseSettings({ HMP_HTTP_TIMEOUT: '5', HMP_CONVERT_TIMEOUT: '170' });
    assert.equal(timeoutS(env, { httpTimeout: 10 }, 'default'), 5);
    assert.equal(timeoutS(env, {}, 'convert'), 170);
  });

  test('bad settings are refused with the variable named', () => {
    assert.throws(() => parseSettings({ HMP_TIME_SCALE: 'fast' }), (e: Error) => e instanceof SettingsError && /HMP_TIME_SCALE must be a number >= 0, got "fast"/.test(e.message));
    assert.throws(() => parseSettings({ HMP_SESSIONS_PER_VU: '1.5' }), /HMP_SESSIONS_PER_VU must be a whole number/);
    assert.throws(() => parseSettings({ HMP_THINK_MIN: '3', HMP_THINK_MAX: '2' }), /HMP_THINK_MAX \(2\) must not be below HMP_THINK_MIN \(3\)/);
    assert.throws(() => parseSettings({ HMP_SERVER_PUBLIC_KEY: Buffer.alloc(16).toString('base64') }), /32-byte public key, got 16 bytes/);
    assert.equal(parseSettings({ HMP_SERVER_PUBLIC_KEY: Buffer.alloc(32, 1).toString('base64') }).serverPublicKey?.length, 32);
    assert.equal(parseSettings({ DEBUG: 'http,hmp' }).debug, true);
    assert.equal(parseSettings({ DEBUG: 'http' }).debug, false);
  });
});

describe('the session loop contract', () => {
  let dir: string;
  const ee = new EventEmitter();
  const counters = new Map<string, number>();
  ee.on('counter', (name: string, value: number) => counters.set(name, (counters.get(name) ?? 0) + value));

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'hmp-session-'));
    const account = (id: number, projects: number[]) => ({ id, email: `u${id}@hmp.test`, private_key: 'ab'.repeat(32), project_ids: projects });
    writeFileSync(join(dir, 'test_data.json'), JSON.stringify({
      target: 'http://127.0.0.1:9', created_at: '', via: 'load-test',
      students: [account(1, [10]), account(2, [11])], instructors: [account(3, [10, 11])],
      projects: [{ id: 10, title: '$TEST$ a', instructor_id: 3 }, { id: 11, title: '$TEST$ b', instructor_id: 3 }], submissions: [],
    }));
    // Read once per worker, at the first session.
    process.env.HMP_TEST_DATA = join(dir, 'test_data.json');
    process.env.HMP_TIME_SCALE = '0';
  });
  after(() => {
    globalThis.hmpLoad = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  /** A VU of the average mix; `profileName` skips the deal (a VU that already has its role). */
  const context = (profileName?: string): VuContext => ({ vars: { target: 'http://127.0.0.1:9', profileName }, scenario: { name: 'average' } });
  const staysOn = (c: VuContext) => new Promise<boolean>((resolve) => userStaysOn(c, resolve));

  test('without the plugin a VU runs HMP_SESSIONS_PER_VU sessions (default 1), then leaves', async () => {
    const c = context('student');
    await beginSession(c, ee);
    assert.equal(c.vars.me.role, 'student');
    assert.equal(c.vars.hmpSessions, 1);
    assert.equal(sessionOk(c.vars), true);
    await endSession(c, ee);
    assert.equal(await staysOn(c), false);
    assert.equal(counters.get('plugins.hmp.session.completed'), 1);
  });

  test('a failed session is counted; the next session starts afresh', async () => {
    const c = context('instructor');
    await beginSession(c, ee);
    c.vars.sessionFailed = true;
    assert.equal(sessionOk(c.vars), false);
    await endSession(c, ee);
    assert.equal(counters.get('plugins.hmp.session.failed.instructor'), 1);
    await beginSession(c, ee);
    assert.equal(sessionOk(c.vars), true, 'the user tries again in its next session');
    assert.equal(c.vars.me.role, 'instructor');
  });

  test('a VU is dealt its role at its first session and keeps it; plugins.hmp.roles.<role> counts VUs, plugins.hmp.session.<role> sessions', async () => {
    const before = (name: string) => counters.get(name) ?? 0;
    const roles0 = before('plugins.hmp.roles.student') + before('plugins.hmp.roles.instructor');
    const c = context();
    await beginSession(c, ee);
    const dealt = c.vars.profileName as string;
    assert.ok(dealt === 'student' || dealt === 'instructor', dealt);
    assert.equal(c.vars.me.role, dealt);
    const sessions0 = before(`plugins.hmp.session.${dealt}`);
    for (let i = 0; i < 4; i++) {
      await endSession(c, ee);
      await beginSession(c, ee);
      assert.equal(c.vars.profileName, dealt, 'the VU keeps its role');
      assert.equal(c.vars.me.role, dealt);
    }
    assert.equal(before('plugins.hmp.roles.student') + before('plugins.hmp.roles.instructor'), roles0 + 1, 'dealt once');
    assert.equal(before(`plugins.hmp.session.${dealt}`), sessions0 + 4);
  });

  test('a scenario without a role mix fails at its first step, saying which names exist', async () => {
    await assert.rejects(beginSession({ vars: {}, scenario: { name: 'student' } }, ee), /scenario "student" has no role mix/);
  });

  test('with the gate: it admits or sends away, decides staying, and may end a session during think time', async () => {
    let admit = true;
    let stay: boolean | Promise<boolean> = true;
    const thinks: number[] = [];
    globalThis.hmpLoad = {
      gate: {
        beginSession: async () => admit,
        staysOn: () => stay,
        think: async (ctx: VuContext, ms: number) => {
          thinks.push(ms);
          ctx.vars.$hmpYielded = true;
        },
      },
      timeScale: 0,
    } as never;
    const c = context('student');
    await beginSession(c, ee);
    assert.equal(sessionOk(c.vars), true);
    assert.equal(await staysOn(c), true);
    stay = Promise.resolve(false);
    assert.equal(await staysOn(c), false);

    await think(c, ee);
    assert.deepEqual(thinks, [0]);
    assert.equal(sessionOk(c.vars), false, 'a yielded session skips its remaining steps');
    await endSession(c, ee);
    assert.equal(counters.get('plugins.hmp.session.yielded'), 1);

    admit = false;
    c.vars.$hmpYielded = false;
    await beginSession(c, ee);
    assert.equal(c.vars.sessionLeft, true);
    assert.equal(sessionOk(c.vars), false, 'a VU sent away skips every step');
    stay = true;
    assert.equal(await staysOn(c), false, 'and leaves');

    const roles = (counters.get('plugins.hmp.roles.student') ?? 0) + (counters.get('plugins.hmp.roles.instructor') ?? 0);
    const parked = context();
    await beginSession(parked, ee);
    assert.equal(parked.vars.sessionLeft, true);
    assert.equal(parked.vars.profileName, undefined, 'a VU sent away before its first session is dealt no role');
    assert.equal((counters.get('plugins.hmp.roles.student') ?? 0) + (counters.get('plugins.hmp.roles.instructor') ?? 0), roles);
  });
});

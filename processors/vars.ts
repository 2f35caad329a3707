// What a session keeps in the VU's `context.vars` (YAML templates read some
// of it: project, upload, read, conv), and the `ifTrue` condition every
// request carries.
import type { Profile, ReadKind } from './profiles.ts';
import type { VuContext } from './types.ts';

export interface Identity {
  id: number;
  /** 64 hex chars: kept in memory only, never logged. */
  privateKeyHex: string;
  role: 'student' | 'instructor' | 'admin';
  projectIds: number[];
}

export interface Read {
  id: number;
  /** The content hash the list gave. */
  hash: string;
  kind: ReadKind;
}

export interface Conversion {
  /** Which step runs next: none (no conversion this session), key, execute, poll, download, done. */
  stage: 'none' | 'key' | 'execute' | 'poll' | 'download' | 'done';
  version?: '1.0' | '1.1';
  /** The last answer said "busy": retry after a backoff. */
  busy: boolean;
  attempts: number;
  aesKey?: Buffer;
  taskUuid?: string;
  /** v1.0: the server's public key (from the API or the configuration). */
  serverKey?: Buffer;
  pdf?: Uint8Array;
  /** The PDF under the task key, in parts (iv | ciphertext | tag: aesGcmEncryptSliced), kept for busy retries. */
  encryptedFile?: Buffer[];
  polls: number;
  startedAt: number;
  /** v1.1: when execute accepted the task (the bounded wait starts there). */
  acceptedAt: number;
}

export interface SessionVars {
  /** Sessions this VU has started. */
  hmpSessions: number;
  sessionFailed: boolean;
  /** Smoke: an earlier part of this session (student, instructor) failed; the later parts still run. */
  partFailed: boolean;
  /** The closed-model gate sent this VU away: skip everything, then leave. */
  sessionLeft: boolean;
  sessionStartedAt: number;
  /** The VU's profile (its role), dealt at its first session and kept for the VU's life. */
  profileName: string | undefined;
  profile: Profile;
  me: Identity | undefined;
  token: string | undefined;
  challenge: string | undefined;
  /** Smoke: the identities the session plays in turn (admin: why not, when it cannot be had). */
  cast: { student: Identity; instructor: Identity; admin: Identity | string } | undefined;
  plannedDetails: number;
  plannedReads: ReadKind[];
  /** Loops of the YAML go over these (empty = the block is skipped). */
  projectPicks: number[];
  uploadPicks: Array<{ projectId: number }>;
  readPicks: Read[];
  conversionPicks: number[];
  /** Current loop elements. */
  project: number | undefined;
  upload: { projectId: number } | undefined;
  read: Read | undefined;
  instructorKey: Buffer | undefined;
  /** MD5 of the encrypted content being uploaded. */
  pendingUpload: { md5: string; projectId: number } | undefined;
  lastUpload: { id: number; md5: string } | undefined;
  conv: Conversion;
  auditWindow: { start: string; end: string } | undefined;
}

export function vars(context: VuContext): SessionVars {
  return context.vars as SessionVars;
}

/**
 * `ifTrue` of every request: the session has not failed, the VU is not
 * leaving, and the closed-model gate has not taken its slot back during a
 * think time ($hmpYielded: the session ends early, the VU stays).
 */
export function sessionOk(v: Record<string, unknown>): boolean {
  // $hmpRequestFailed: a request got no answer (the plugin keeps the user, the session ends).
  return v.sessionFailed !== true && v.sessionLeft !== true && v.$hmpYielded !== true && v.$hmpRequestFailed !== true;
}

const playing = (role: Identity['role']) => (v: Record<string, unknown>): boolean => sessionOk(v) && (v.me as Identity | undefined)?.role === role;
/** `ifTrue` of the student block of a mix (uploads): sessionOk, and the session's user is a student. */
export const studentOk = playing('student');
/** `ifTrue` of the instructor block (submissions, reads, conversions): sessionOk, and the user is an instructor. */
export const instructorOk = playing('instructor');

/** A conversion not started (its keys, PDF and task come as it runs). */
export function newConversion(): Conversion {
  return { stage: 'none', busy: false, attempts: 0, polls: 0, startedAt: 0, acceptedAt: 0 };
}

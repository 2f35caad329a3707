// The Artillery processor (`config.processor`): the functions the scenario
// YAML names, re-exported. Artillery bundles this file with esbuild into
// processors/dist/index.js (CommonJS: processors/dist/package.json says so).
export { beginSession, endSession, userStaysOn } from './session.ts';
export { instructorOk, sessionOk, studentOk } from './vars.ts';
export { think, thinkIfInstructor } from './think.ts';
export { captureBinary, withTimeout, withToken } from './request-hooks.ts';
export { checkResponse } from './check.ts';
export { challengeBody, signLogin } from './auth.ts';
export { readingContent, readingHash } from './reads.ts';
export { downloadAudio, readContent } from './download.ts';
export { encodeSubmission } from './upload.ts';
export {
  audioReady,
  backoffIfBusy,
  beginConversion,
  encodeConversion,
  executing,
  keepPolling,
  needServerKey,
  pollWait,
  polling,
  prepareConversion,
  retryBusy,
} from './convert.ts';
export { actAsAdmin, actAsInstructor, actAsStudent } from './smoke.ts';

// A deliberately slower suite, for checking that the bench sees it
// (`npm run bench -- --burn-us N`): the suite's checkResponse after a busy
// wait of BENCH_BURN_US microseconds of CPU per response.
import { checkResponse as suiteCheckResponse } from '../processors/check.ts';
import type { ArtilleryResponse, Ee, RequestParams, VuContext } from '../processors/types.ts';

const burnUs = Number(process.env.BENCH_BURN_US ?? 0);

// Async: Artillery calls a plain function callback style.
export async function checkResponse(req: RequestParams, res: ArtilleryResponse, context: VuContext, ee: Ee): Promise<void> {
  const until = performance.now() + burnUs / 1000;
  while (performance.now() < until);
  await suiteCheckResponse(req, res, context, ee);
}

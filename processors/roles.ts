// Roles per VU: each VU is dealt a profile from its scenario's mix
// (MIXES in profiles.ts) at its first session, and keeps it for its life:
// the plan counts users by role, and the closed-model plugin keeps VUs
// alive for the whole run. One shuffle bag per mix per worker, so the split
// of the VUs a worker starts is exact over every full bag (4:1 average,
// 19:1 spike), not left to a random pick per VU.
import { Deck, type Rand } from './pick.ts';
import { mixCards, mixNamed, profileNamed, ProfileError, type Role } from './profiles.ts';

export class RoleDealer {
  readonly #bags = new Map<string, Deck<string>>();
  readonly #rand: Rand;

  constructor(rand: Rand) {
    this.#rand = rand;
  }

  /**
   * The profile name for a new VU of scenario `mixName`. `pinned` (HMP_ROLE)
   * gives every VU the mix's profile of that role instead.
   */
  deal(mixName: string | undefined, pinned?: Exclude<Role, 'smoke'>): string {
    const mix = mixNamed(mixName);
    if (pinned !== undefined) {
      const profile = Object.keys(mix).find((name) => profileNamed(name).role === pinned);
      if (profile === undefined) {
        throw new ProfileError(`HMP_ROLE is ${pinned}, but scenario "${mixName}" has no ${pinned} profile (it has ${Object.keys(mix).join(', ')}): unset HMP_ROLE`);
      }
      return profile;
    }
    let bag = this.#bags.get(mixName!);
    if (!bag) this.#bags.set(mixName!, (bag = new Deck(mixCards(mix), this.#rand)));
    return bag.draw();
  }
}

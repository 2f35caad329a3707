// HS256 JWTs with a configurable lifetime (jose).
import { SignJWT, jwtVerify, errors } from 'jose';

export class TokenExpired extends Error {}

export class Tokens {
  #key: Uint8Array;
  #lifetimeS: number;

  constructor(secret: string, lifetimeS: number) {
    this.#key = new TextEncoder().encode(secret);
    this.#lifetimeS = lifetimeS;
  }

  issue(userId: number): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ sub: String(userId) })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt(now)
      .setExpirationTime(now + this.#lifetimeS)
      .sign(this.#key);
  }

  /**
   * Returns the user id. Expiry throws TokenExpired (-> 401); anything else
   * (bad signature, not a JWT) throws a plain error (-> 500), as upstream
   * only catches expiry.
   */
  async verify(token: string): Promise<number> {
    try {
      const { payload } = await jwtVerify(token, this.#key, { algorithms: ['HS256'] });
      return Number(payload.sub);
    } catch (err) {
      if (err instanceof errors.JWTExpired) throw new TokenExpired('token expired');
      throw new Error(`JWT decode failed: ${(err as Error).message}`);
    }
  }
}

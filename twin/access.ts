// Bell-LaPadula checks as HMP applies them (HMP-API.md, "Access levels"). Pure.

export const LEVEL = { UNCLASSIFIED: 1, CONTROLLED: 2, RESTRICTED: 3, CONFIDENTIAL: 4 } as const;
export type Level = (typeof LEVEL)[keyof typeof LEVEL];
export type Access = 'read' | 'write' | 'read_write';

const LEVEL_NAME: Record<number, string> = { 1: 'UNCLASSIFIED', 2: 'CONTROLLED', 3: 'RESTRICTED', 4: 'CONFIDENTIAL' };

export interface Subject {
  confidentiality: number;
  integrity: number[];
}

/** Returns null when allowed, else the 403 detail naming the rule that failed. */
export function accessDenial(user: Subject, objectLevel: Level, access: Access): string | null {
  const name = LEVEL_NAME[objectLevel];
  if ((access === 'read' || access === 'read_write') && user.confidentiality < objectLevel) {
    return `Access denied: reading requires confidentiality >= ${name} (no read up)`;
  }
  if (access === 'write' || access === 'read_write') {
    if (user.confidentiality > objectLevel) {
      return `Access denied: writing requires confidentiality <= ${name} (no write down)`;
    }
    if (!user.integrity.includes(objectLevel)) {
      return `Access denied: writing requires integrity level ${name}`;
    }
  }
  return null;
}

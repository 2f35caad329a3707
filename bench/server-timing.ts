// The twin's (and HMP's) Server-Timing header: `queue;dur=.., handler;dur=.., total;dur=..`.

/** The `total;dur=X` of a Server-Timing header, in ms, or undefined. */
export function serverTotal(header: string | string[] | undefined): number | undefined {
  const text = Array.isArray(header) ? header.join(',') : header;
  const m = text ? /(?:^|[,\s])total;dur=([0-9.]+)/i.exec(text) : null;
  return m ? Number(m[1]) : undefined;
}

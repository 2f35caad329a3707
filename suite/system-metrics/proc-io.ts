// Disk and network I/O from /proc (pure parsers, and the readers beside
// them): a process's storage bytes (/proc/<pid>/io read_bytes and
// write_bytes: what it made the kernel read from or write to a disk, not
// what it read from sockets), its descendants (a uvicorn master's workers, a
// PostgreSQL postmaster's backends), and the bytes in and out of the network
// interface the target is reached through (/proc/net/dev).
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** read_bytes and write_bytes of /proc/<pid>/io (undefined: not readable, e.g. another user's process). */
export function parseIo(text: string): { read: number; write: number } | undefined {
  const read = /^read_bytes:\s+(\d+)/m.exec(text);
  const write = /^write_bytes:\s+(\d+)/m.exec(text);
  return read && write ? { read: Number(read[1]), write: Number(write[1]) } : undefined;
}

/** Received and sent bytes of one interface in /proc/net/dev. */
export function parseNetDev(text: string, iface: string): { rx: number; tx: number } | undefined {
  for (const line of text.split('\n')) {
    const m = /^\s*([^:\s]+):\s*(.*)$/.exec(line);
    if (!m || m[1] !== iface) continue;
    const f = m[2]!.trim().split(/\s+/).map(Number);
    // receive: bytes packets errs drop fifo frame compressed multicast; transmit: bytes ...
    if (f.length >= 9 && Number.isFinite(f[0]) && Number.isFinite(f[8])) return { rx: f[0]!, tx: f[8]! };
  }
  return undefined;
}

/** The interface of the default route in /proc/net/route (undefined: none). */
export function defaultInterface(routeText: string): string | undefined {
  for (const line of routeText.split('\n').slice(1)) {
    const [iface, destination] = line.trim().split(/\s+/);
    if (iface && destination === '00000000') return iface;
  }
  return undefined;
}

/** The interface a target is reached through: loopback for 127.x/localhost/::1, else the default route's. */
export function interfaceFor(target: string | undefined, procRoot = '/proc'): string | undefined {
  let host = '127.0.0.1';
  try {
    if (target) host = new URL(target).hostname.replace(/^\[|\]$/g, '');
  } catch {
    // not a URL: loopback, where this workplace's targets are
  }
  if (host === 'localhost' || host === '::1' || host.startsWith('127.')) return 'lo';
  try {
    return defaultInterface(readFileSync(`${procRoot}/net/route`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The parent pid in a /proc/<pid>/stat line (field 4). */
export function parentOf(stat: string): number {
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/** `pid` and every process below it. */
export function processTree(pid: number, procRoot = '/proc'): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync(procRoot)) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const ppid = parentOf(readFileSync(`${procRoot}/${name}/stat`, 'utf8'));
      const list = children.get(ppid);
      if (list) list.push(Number(name));
      else children.set(ppid, [Number(name)]);
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const todo = [pid];
  while (todo.length) {
    const p = todo.pop()!;
    out.push(p);
    todo.push(...(children.get(p) ?? []));
  }
  return out;
}

/** Inodes of the sockets listening on `port` in a /proc/net/tcp or tcp6 text (state 0A = LISTEN). */
export function listeningInodes(text: string, port: number): number[] {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  const out: number[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || f[3] !== '0A' || !f[1]!.endsWith(`:${hex}`)) continue;
    const inode = Number(f[9]);
    if (inode > 0) out.push(inode);
  }
  return out;
}

/** The process listening on a local TCP port (the server after a restart), if one can be seen. */
export function listenerOf(port: number, procRoot = '/proc'): number | undefined {
  const inodes = new Set<number>();
  for (const file of ['tcp', 'tcp6']) {
    try {
      for (const i of listeningInodes(readFileSync(`${procRoot}/net/${file}`, 'utf8'), port)) inodes.add(i);
    } catch {
      // no IPv6, or not Linux
    }
  }
  if (inodes.size === 0) return undefined;
  for (const name of readdirSync(procRoot)) {
    if (!/^\d+$/.test(name)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`${procRoot}/${name}/fd`);
    } catch {
      continue; // gone, or not ours to read
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`${procRoot}/${name}/fd/${fd}`));
        if (m && inodes.has(Number(m[1]))) return Number(name);
      } catch {
        // closed meanwhile
      }
    }
  }
  return undefined;
}

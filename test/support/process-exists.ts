// Whether a process exists at all (a zombie included): what "no process left behind" is checked with.
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

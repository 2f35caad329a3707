// The credentials-file password: from HMP_PASSWORD, else a prompt on a
// terminal that echoes nothing. Never from the command line.

export interface KeyState {
  value: string;
  /** 'enter' when the line is complete, 'interrupt' on Ctrl-C. */
  end: 'enter' | 'interrupt' | undefined;
}

/** Applies typed characters to the hidden input (pure): Enter ends, Backspace erases, Ctrl-C interrupts. */
export function applyKeys(state: KeyState, chunk: string): KeyState {
  let value = state.value;
  for (const ch of chunk) {
    if (ch === '\r' || ch === '\n' || ch === '\u0004') return { value, end: 'enter' };
    if (ch === '\u0003') return { value: '', end: 'interrupt' };
    if (ch === '\u007f' || ch === '\b') {
      value = [...value].slice(0, -1).join('');
      continue;
    }
    if (ch === '\u0015') {
      value = ''; // Ctrl-U: clear the line
      continue;
    }
    if (ch < ' ') continue; // other control characters (arrows send ESC sequences)
    value += ch;
  }
  return { value, end: undefined };
}

export class PromptInterrupted extends Error {}

/** Reads a line from the terminal without echo. Only for a TTY stdin. */
export function promptHidden(prompt: string, input: NodeJS.ReadStream = process.stdin, output: NodeJS.WriteStream = process.stderr): Promise<string> {
  return new Promise((resolve, reject) => {
    let state: KeyState = { value: '', end: undefined };
    const finish = () => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
    };
    const onData = (chunk: Buffer | string) => {
      state = applyKeys(state, chunk.toString());
      if (state.end === 'enter') {
        finish();
        resolve(state.value);
      } else if (state.end === 'interrupt') {
        finish();
        reject(new PromptInterrupted('interrupted'));
      }
    };
    output.write(prompt);
    input.setRawMode(true);
    input.resume();
    input.on('data', onData);
  });
}

/**
 * The password, or undefined when there is no way to get one (no env var and
 * stdin is not a terminal).
 */
export async function getPassword(env: Record<string, string | undefined>, credentialsPath: string): Promise<string | undefined> {
  if (env.HMP_PASSWORD !== undefined && env.HMP_PASSWORD !== '') return env.HMP_PASSWORD;
  if (!process.stdin.isTTY) return undefined;
  return promptHidden(`Password for ${credentialsPath}: `);
}

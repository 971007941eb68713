import type { ChildProcess } from 'node:child_process';

/** Everything a child process writes (stdout and stderr), as it arrives. */
export function collect(child: ChildProcess): { text: string } {
  const output = { text: '' };
  child.stdout?.on('data', (chunk: Buffer) => (output.text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output.text += chunk.toString()));
  return output;
}

/** Waits until `pattern` matches the output; resolves with its first group (or the whole match). */
export async function waitForMatch(output: { text: string }, pattern: RegExp, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(output.text);
    // the first group, when the pattern has one that matched (exec's type leaves out its undefined)
    const group: string | undefined = match?.[1];
    if (match) return group ?? match[0];
    if (Date.now() > deadline) throw new Error(`no ${pattern} in output:\n${output.text}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

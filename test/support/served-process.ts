import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** `mamori serve` in its own process, as an operator runs it. */
export interface ServedProcess {
  url: string;
  pid: number;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  exited: Promise<number | string>;
  /** Resident memory now and at its peak (VmRSS, VmHWM from /proc), in bytes. */
  memory(): { rss: number; peak: number };
  kill(signal: NodeJS.Signals): void;
}

/**
 * Starts `mamori serve --port 0` with only the given environment (plus PATH/HOME) and waits for its start-up
 * message. JSON logs go to stdout at LOG_LEVEL (default warn).
 */
export async function serveProcess(args: string[], env: Record<string, string>, opts: { nodeArgs?: string[] } = {}): Promise<ServedProcess> {
  const childEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', ...env };
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [...(opts.nodeArgs ?? []), join(root, 'bin', 'mamori.js'), 'serve', '--port', '0', ...args], { cwd: root, env: childEnv });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const until = Date.now() + 60_000;
  let url = '';
  for (;;) {
    const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
    if (m && /Press Ctrl\+C to stop\./.test(out)) {
      url = m[1] ?? '';
      break;
    }
    if (child.exitCode !== null) throw new Error(`mamori serve exited (${child.exitCode}):\n${out}`);
    if (Date.now() > until) {
      child.kill('SIGKILL');
      throw new Error(`mamori serve did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const pid = child.pid ?? 0;
  return {
    url,
    pid,
    output: () => out,
    exited,
    memory() {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = (name: string) => Number(status.match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm'))?.[1] ?? 0) * 1024;
      return { rss: kb('VmRSS'), peak: kb('VmHWM') };
    },
    kill(signal) {
      if (child.exitCode === null) child.kill(signal);
    },
  };
}

/**
 * A lint-clean policy that `mamori serve` accepts, whose privacy center takes agent disclosure requests with a power
 * of attorney attached: the Misskey example with agents allowed. Written into `dir`; returns its path.
 */
export function agentFilingPolicy(dir: string): string {
  const doc = parseDocument(readFileSync(join(root, 'examples', 'misskey-server', 'policy.yaml'), 'utf8'));
  doc.setIn(['requests', 'kinds', 'disclosure', 'agents'], doc.createNode({ allowed: true, kinds: ['legal_representative', 'mandated'], proofs: ['power_of_attorney'] }));
  const path = join(dir, 'policy.yaml');
  writeFileSync(path, doc.toString());
  return path;
}

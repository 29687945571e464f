import { runCli } from '../../src/cli/main.ts';

/**
 * Runs the CLI in this process (no tsx start-up per call) and captures what it prints with console.log/console.error
 * (swapped for the duration of the call, so calls must not overlap). process.stdout itself is left alone: the test
 * runner reports through it, so tests ask for documents with --out.
 */
export async function runCliCaptured(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const log = console.log;
  const error = console.error;
  console.log = (...a: unknown[]) => { stdout += `${a.map(String).join(' ')}\n`; };
  console.error = (...a: unknown[]) => { stderr += `${a.map(String).join(' ')}\n`; };
  try {
    const code = await runCli(args);
    return { code, stdout, stderr };
  } finally {
    console.log = log;
    console.error = error;
  }
}

import { parseArgs } from 'node:util';
import type { Command } from '../command.ts';
import { loadLintedPolicy, startServer } from '../../server.ts';
import { loadConfig } from '../../config.ts';
import { lintPolicy } from '../../policy/lint.ts';
import { createDemoMailTransport } from '../../demo/demo-mail-transport.ts';
import { DEMO_DATABASE_ENV, prepareMisskeyDemo } from '../../demo/misskey-demo.ts';
import { startReport, type StartFacts } from '../start-report.ts';

const HELP = `usage: mamori serve --policy <file> [--graph <datasets.yaml>] [--port N] [--host H] [--demo]

Runs the server: the published policy (/privacy), the privacy center (/privacy-center), the staff console
(/console) and the API. Refuses a policy with lint errors.

Options:
  --graph <file>   the dataset graph of your databases (or MAMORI_GRAPH)
  --port <n>       port to listen on (or PORT; default 3000)
  --host <h>       address to listen on (or HOST; default 127.0.0.1)
  --demo           without a graph, connect to a made-up Misskey database created under the data directory
                   (what \`npm start\` does); ignored when --graph or MAMORI_GRAPH is given

Environment: DATABASE_URL, MAMORI_DATA_DIR, MAMORI_SECRET, SMTP_URL, MAIL_FROM, MAMORI_BASE_URL (see README).`;

function listenErrorCode(err: unknown): string | undefined {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

export const serveCommand: Command = async (argv) => {
  const { values } = parseArgs({
    args: argv,
    options: { policy: { type: 'string' }, graph: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, demo: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help || !values.policy) {
    console.log(HELP);
    return values.help ? 0 : 2;
  }
  const port = values.port !== undefined ? Number(values.port) : undefined;
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    console.error('mamori serve: --port must be a number from 0 to 65535');
    return 2;
  }
  const policy = loadLintedPolicy(values.policy);
  // The secret is not needed to find the data directory; the server reads or creates it when it starts.
  const env = loadConfig(process.env, { secret: Buffer.alloc(32), ...(port !== undefined ? { port } : {}), ...(values.host ? { host: values.host } : {}) });
  const operatorGraph = values.graph ?? env.graphPath;
  const demo = values.demo && !operatorGraph ? prepareMisskeyDemo(env.dataDir) : undefined;
  // The demo graph names this variable; an operator who set it keeps their own value.
  if (demo) process.env[DEMO_DATABASE_ENV] ??= demo.databaseUrl;
  const graphPath = operatorGraph ?? demo?.graphPath;

  let server;
  try {
    server = await startServer({
      policy,
      config: { ...(port !== undefined ? { port } : {}), ...(graphPath ? { graphPath } : {}), ...(values.host ? { host: values.host } : {}), ...(demo ? { demo: true } : {}) },
      ...(demo && !env.smtpUrl ? { transport: createDemoMailTransport((text) => console.log(text)) } : {}),
    });
  } catch (err) {
    const code = listenErrorCode(err);
    if (code === 'EADDRINUSE') {
      const next = env.port === 0 ? 3001 : env.port + 1;
      console.error(`mamori serve: port ${env.port} on ${env.host} is already in use (another mamori or another program is listening there). Stop it, or choose another port: --port ${next}`);
      return 1;
    }
    if (code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      console.error(`mamori serve: cannot listen on ${env.host}:${env.port} (${code === 'EACCES' ? 'permission denied: ports below 1024 need privileges' : 'no such address on this machine'}). Choose another with --port or --host.`);
      return 1;
    }
    throw err;
  }

  const staffAccounts = await server.ctx.store.db.selectFrom('staff_users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  const facts: StartFacts = {
    policyFile: values.policy,
    // With --port 0 the derived base URL names port 0; the port actually chosen is the useful one to print.
    baseUrl: server.ctx.config.baseUrl.endsWith(':0') ? server.url.replace('127.0.0.1', 'localhost') : server.ctx.config.baseUrl,
    listenUrl: server.url,
    staffAccounts: Number(staffAccounts?.n ?? 0),
    smtpConfigured: server.ctx.config.smtpUrl !== undefined,
    warnings: lintPolicy(policy).filter((i) => i.severity === 'warning'),
    graph: demo ? { kind: 'demo', path: demo.graphPath, databaseFile: demo.databaseUrl.replace(/^sqlite:/, ''), created: demo.created, people: demo.people } : graphPath ? { kind: 'operator', path: graphPath } : { kind: 'none' },
  };
  console.log(startReport(facts));
  if (values.demo && operatorGraph) console.log(`(--demo is ignored: the dataset graph ${operatorGraph} is used and no demo database is created.)`);
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  return await new Promise<number>(() => {});
};

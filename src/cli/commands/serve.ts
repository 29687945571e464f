import { parseArgs } from 'node:util';
import type { Command } from '../command.ts';
import { startServer } from '../../server.ts';

export const serveCommand: Command = async (argv) => {
  const { values } = parseArgs({
    args: argv,
    options: { policy: { type: 'string' }, graph: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help || !values.policy) {
    console.log('usage: mamori serve --policy <file> [--graph <datasets.yaml>] [--port N] [--host H]\n\nEnvironment: DATABASE_URL, MAMORI_SECRET, SMTP_URL, MAIL_FROM, MAMORI_BASE_URL (see README).');
    return values.help ? 0 : 2;
  }
  const port = values.port !== undefined ? Number(values.port) : undefined;
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    console.error('mamori serve: --port must be a number from 0 to 65535');
    return 2;
  }
  const server = await startServer({ policy: values.policy, config: { ...(port !== undefined ? { port } : {}), ...(values.graph ? { graphPath: values.graph } : {}), ...(values.host ? { host: values.host } : {}) } });
  console.log(`mamori is serving ${values.policy} at ${server.ctx.config.baseUrl} (listening on ${server.url})`);
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  return await new Promise<number>(() => {});
};

import type { Server, ServerResponse } from 'node:http';

/**
 * Lets a closing server end its keep-alive connections as their responses finish: once `closing()` is called, every
 * response not yet sent (in flight, or arriving on a connection still open) carries `Connection: close`, so the
 * client's connection ends with its answer instead of holding the process until the keep-alive timeout.
 */
export function connectionDrain(server: Server): { closing(): void } {
  const active = new Set<ServerResponse>();
  let closing = false;
  const markClose = (res: ServerResponse) => {
    if (!res.headersSent) res.setHeader('connection', 'close');
  };
  server.on('request', (_req, res: ServerResponse) => {
    if (closing) return markClose(res);
    active.add(res);
    res.once('close', () => active.delete(res));
  });
  return {
    closing() {
      closing = true;
      for (const res of active) markClose(res);
    },
  };
}

import type { Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** The last response begun on a connection (the one a closing server may still mark). */
const CURRENT = Symbol('mamori.currentResponse');
type TrackedSocket = Socket & { [CURRENT]?: ServerResponse };

/**
 * Lets a closing server end its keep-alive connections as their responses finish: once `closing()` is called, every
 * response not yet sent (in flight, or arriving on a connection still open) carries `Connection: close`, so the
 * client's connection ends with its answer instead of holding the process until the keep-alive timeout.
 * Tracked per connection (a listener when a connection first asks, the latest response kept on it), not per response:
 * the decisions hot path answers thousands of requests a second on a few keep-alive connections.
 */
export function connectionDrain(server: Server): { closing(): void } {
  const sockets = new Set<TrackedSocket>();
  let closing = false;
  const markClose = (res: ServerResponse) => {
    if (!res.headersSent) res.setHeader('connection', 'close');
  };
  server.on('request', (req, res: ServerResponse) => {
    if (closing) return markClose(res);
    const socket = req.socket as TrackedSocket;
    if (socket[CURRENT] === undefined) {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    }
    socket[CURRENT] = res;
  });
  return {
    closing() {
      closing = true;
      for (const socket of sockets) {
        const res = socket[CURRENT];
        if (res) markClose(res);
      }
    },
  };
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/**
 * Answers a request before Fastify sees it, or declines: returns true when it answered (or will answer), false to
 * let Fastify handle the request as usual. A fast handler takes only the exact, valid, common case of its route and
 * declines everything else, so every error, every unusual form and every check Fastify's route does stays with the
 * route: the fast handler must answer nothing the route would answer differently.
 * `decline()` hands a request it started on (an awaited read that failed) to Fastify after all.
 */
export type FastHandler = (req: IncomingMessage, res: ServerResponse, decline: () => void) => boolean;

declare module 'fastify' {
  interface FastifyInstance {
    /** Routes answered ahead of Fastify (see `FastRoutes`). */
    fastRoutes: FastRoutes;
  }
}

/** Routes answered ahead of Fastify, by exact path, for the hot paths only (today: single decisions). */
export interface FastRoutes {
  get(path: string, handler: FastHandler): void;
  /** Stops answering ahead of Fastify (while closing, so Fastify's own closing answers apply). */
  stop(): void;
}

interface FastifyServerOptions {
  keepAliveTimeout?: number;
  requestTimeout?: number;
  connectionTimeout?: number;
  maxRequestsPerSocket?: number;
}

/**
 * The HTTP server for Fastify's `serverFactory`, with Fastify's own timeouts, that offers each GET to the fast
 * routes first. A route's hooks, logging and request-id generation are Fastify's; a fast handler writes its own
 * `x-request-id` so every answer still names one.
 */
export function createFastRoutes(): FastRoutes & { serverFactory: (handler: (req: IncomingMessage, res: ServerResponse) => void, opts: FastifyServerOptions) => Server } {
  const gets = new Map<string, FastHandler>();
  let active = true;
  return {
    get(path, handler) {
      gets.set(path, handler);
    },
    stop() {
      active = false;
    },
    serverFactory(handler, opts) {
      const server = createServer((req, res) => {
        if (active && req.method === 'GET' && gets.size > 0) {
          const url = req.url ?? '';
          const q = url.indexOf('?');
          const fast = gets.get(q === -1 ? url : url.slice(0, q));
          if (fast && fast(req, res, () => handler(req, res))) return;
        }
        handler(req, res);
      });
      if (opts.keepAliveTimeout !== undefined) server.keepAliveTimeout = opts.keepAliveTimeout;
      if (opts.requestTimeout !== undefined) server.requestTimeout = opts.requestTimeout;
      if (opts.connectionTimeout !== undefined) server.setTimeout(opts.connectionTimeout);
      if (opts.maxRequestsPerSocket !== undefined && opts.maxRequestsPerSocket > 0) server.maxRequestsPerSocket = opts.maxRequestsPerSocket;
      return server;
    },
  };
}

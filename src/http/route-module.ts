import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import type { OpenApiRegistry } from './openapi.ts';

/** Each route module gets the app, the context and the OpenAPI registry it describes its operations in. */
export type RouteModule = (app: FastifyInstance, ctx: AppContext, openapi: OpenApiRegistry) => Promise<void> | void;

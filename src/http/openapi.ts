import { z } from 'zod';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface OpenApiOperation {
  summary: string;
  tags?: string[];
  /** zod schemas are turned into JSON Schema for the document. */
  query?: z.ZodType;
  params?: z.ZodType;
  body?: z.ZodType;
  bodyContentType?: string;
  responses: Record<string, { description: string; schema?: z.ZodType; contentType?: string }>;
  security?: Array<Record<string, string[]>>;
}

/**
 * The OpenAPI registry. Route modules describe each operation next to its handler; `/api/v1/openapi.json` serves
 * the document built from everything registered.
 */
export interface OpenApiRegistry {
  add(method: Method, path: string, op: OpenApiOperation): void;
  document(info: { title: string; version: string; serverUrl: string }): Record<string, unknown>;
}

function toSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}

function parameters(where: 'query' | 'path', schema: z.ZodType | undefined): unknown[] {
  if (!schema) return [];
  const json = toSchema(schema);
  const props = (json.properties ?? {}) as Record<string, unknown>;
  const required = new Set((json.required as string[] | undefined) ?? []);
  return Object.entries(props).map(([name, s]) => ({ name, in: where, required: where === 'path' || required.has(name), schema: s }));
}

export function createOpenApiRegistry(): OpenApiRegistry {
  const paths: Record<string, Record<string, unknown>> = {};
  return {
    add(method, path, op) {
      const oaPath = path.replace(/:([A-Za-z_]+)/g, '{$1}');
      const entry: Record<string, unknown> = {
        summary: op.summary,
        ...(op.tags ? { tags: op.tags } : {}),
        parameters: [...parameters('path', op.params), ...parameters('query', op.query)],
        responses: Object.fromEntries(
          Object.entries(op.responses).map(([status, r]) => [
            status,
            { description: r.description, ...(r.schema ? { content: { [r.contentType ?? 'application/json']: { schema: toSchema(r.schema) } } } : {}) },
          ]),
        ),
        ...(op.security ? { security: op.security } : {}),
      };
      if (op.body) entry.requestBody = { required: true, content: { [op.bodyContentType ?? 'application/json']: { schema: toSchema(op.body) } } };
      (paths[oaPath] ??= {})[method] = entry;
    },
    document(info) {
      return {
        openapi: '3.1.0',
        info: { title: info.title, version: info.version },
        servers: [{ url: info.serverUrl }],
        components: {
          securitySchemes: {
            apiKey: { type: 'http', scheme: 'bearer', description: 'Staff API key created with `mamori apikey add`.' },
            requesterToken: { type: 'apiKey', in: 'header', name: 'x-request-token', description: 'The secret token of one request.' },
          },
          schemas: { Error: toSchema(errorBody) },
        },
        paths,
      };
    },
  };
}

/** Every error response has this shape. */
export const errorBody = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) });

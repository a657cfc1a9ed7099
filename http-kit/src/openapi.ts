/**
 * OpenAPI 3.1 documents built the same way on the appliance and the ground: each route is
 * described once (method, express path, summary, the zod schemas it validates with, the error
 * codes it answers), request and response bodies come from the protocol's schemas through
 * zod's toJSONSchema, and error responses are grouped by the status the server's table gives
 * each code. `mountedRoutes` walks an express app so a test can check every route is described.
 */

import { apiErrorBody, type ErrorCode } from '@ifec/protocol';
import { z } from 'zod';
import { COMMON_ERROR_STATUS, type StatusTable } from './errors.ts';

export type HttpMethod = 'get' | 'post' | 'put' | 'delete' | 'patch';

export interface RouteDoc {
  method: HttpMethod;
  /** The express path (`/api/keys/:keyId`); `:name` becomes a path parameter. A trailing `/*` documents a subtree (the HLS origin). */
  path: string;
  summary: string;
  /** Names of securitySchemes; omitted = public. */
  security?: string[];
  /** A JSON body validated with this schema, or raw bytes. */
  body?: z.ZodType | 'binary';
  /** Query parameters, from the object schema the route parses them with. */
  query?: z.ZodObject;
  /** Success answers by status: a description, or a description with a zod schema or 'binary'. */
  responses: Record<number, string | { description: string; schema?: z.ZodType | 'binary'; contentType?: string }>;
  /** Codes this route answers with besides the common ones; each lands under its status from the table. */
  errors?: ErrorCode[];
}

export interface OpenApiOptions {
  title: string;
  version: string;
  description: string;
  securitySchemes?: Record<string, object>;
  /** Named schemas under components/schemas, referenced as they are used. */
  schemas?: Record<string, z.ZodType>;
  routes: RouteDoc[];
  statusTable: StatusTable;
}

const jsonSchema = (schema: z.ZodType) =>
  z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' });
const binary = { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } };

/** `/api/keys/:keyId` -> `/api/keys/{keyId}`; `/hls/*` -> `/hls/{path}`. */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/\/\*$/, '/{path}');
}

export function openApiDocument(options: OpenApiOptions): object {
  const status = { ...COMMON_ERROR_STATUS, ...options.statusTable } as Record<string, number>;
  const named = new Map<z.ZodType, string>(
    Object.entries(options.schemas ?? {}).map(([name, schema]) => [schema, name]),
  );
  const schemaOf = (schema: z.ZodType) =>
    named.has(schema) ? { $ref: `#/components/schemas/${named.get(schema)}` } : jsonSchema(schema);
  const errorResponse = (codes: string[]) => ({
    description: `error: ${codes.join(', ')}`,
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  });

  const paths: Record<string, Record<string, object>> = {};
  for (const route of options.routes) {
    const path = openApiPath(route.path);
    const parameters: object[] = [...path.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    for (const [name, field] of Object.entries(route.query?.shape ?? {})) {
      parameters.push({
        name,
        in: 'query',
        required: !(field as z.ZodType).safeParse(undefined).success,
        schema: jsonSchema(field as z.ZodType),
      });
    }
    const responses: Record<string, object> = {};
    for (const [code, answer] of Object.entries(route.responses)) {
      const a = typeof answer === 'string' ? { description: answer } : answer;
      const content =
        a.schema === 'binary'
          ? binary
          : a.schema
            ? { [a.contentType ?? 'application/json']: { schema: schemaOf(a.schema) } }
            : undefined;
      responses[code] = { description: a.description, ...(content ? { content } : {}) };
    }
    // Every route may answer these; a JSON body adds the body-parser's own.
    const codes = [
      ...(route.errors ?? []),
      ...(route.body && route.body !== 'binary' ? ['INVALID_BODY', 'INVALID_JSON', 'BODY_TOO_LARGE'] : []),
      'INTERNAL',
    ];
    const byStatus = new Map<number, string[]>();
    for (const code of codes) {
      const s = status[code];
      if (s === undefined)
        throw new Error(
          `route ${route.method.toUpperCase()} ${route.path} documents error ${code}, which the status table does not list`,
        );
      byStatus.set(s, [...(byStatus.get(s) ?? []), code]);
    }
    for (const [s, list] of byStatus) responses[String(s)] = errorResponse(list);
    const body =
      route.body === 'binary'
        ? { required: true, content: binary }
        : route.body
          ? { required: true, content: { 'application/json': { schema: schemaOf(route.body) } } }
          : undefined;
    paths[path] ??= {};
    paths[path][route.method] = {
      summary: route.summary,
      ...(route.security ? { security: route.security.map((name) => ({ [name]: [] })) } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(body ? { requestBody: body } : {}),
      responses,
    };
  }

  const errorCodes = Object.keys(status).sort();
  return {
    openapi: '3.1.0',
    info: { title: options.title, version: options.version, description: options.description },
    components: {
      ...(options.securitySchemes ? { securitySchemes: options.securitySchemes } : {}),
      schemas: {
        ...Object.fromEntries([...named].map(([schema, name]) => [name, jsonSchema(schema)])),
        Error: jsonSchema(apiErrorBody),
        ErrorCode: {
          type: 'string',
          enum: errorCodes,
          description: 'Every code this server answers with; its status is fixed per code.',
        },
      },
    },
    'x-error-status': Object.fromEntries(errorCodes.map((code) => [code, status[code]])),
    paths,
  };
}

export interface MountedRoute {
  method: string;
  path: string;
}

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  rawPath?: string;
  slash?: boolean;
  name?: string;
}

/**
 * Every route an express 5 app or router mounts, with the paths of the routers it sits in.
 * A path-mounted middleware that answers a subtree itself (`router.use('/hls', …)`) is listed
 * as `all /hls/*`; middleware mounted at `/` (body parsers, static files) is not a route.
 */
export function mountedRoutes(app: { router: { stack: unknown[] } } | { stack: unknown[] }): MountedRoute[] {
  const out: MountedRoute[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const p of paths)
          for (const m of Object.keys(layer.route.methods))
            if (m !== '_all') out.push({ method: m, path: `${prefix}${p}` });
        continue;
      }
      const at = layer.slash || !layer.rawPath ? '' : layer.rawPath;
      if (layer.handle?.stack) walk(layer.handle.stack, `${prefix}${at}`);
      else if (at) out.push({ method: 'all', path: `${prefix}${at}/*` });
    }
  };
  walk(('router' in app ? app.router.stack : app.stack) as Layer[], '');
  return out;
}

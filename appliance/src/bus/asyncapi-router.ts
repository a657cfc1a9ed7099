/** `GET /asyncapi.json`: the cabin bus described from protocol's channel table (built once). */
import fs from 'node:fs';
import { buildAsyncApi, paths } from '@ifec/protocol';
import { Router } from 'express';

const { version } = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

export function asyncApiRouter(): Router {
  const router = Router();
  const body = JSON.stringify(buildAsyncApi(version));
  router.get(paths.asyncapi, (_req, res) => {
    res.type('application/json').set('Cache-Control', 'no-cache').send(body);
  });
  return router;
}

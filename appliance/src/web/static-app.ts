/**
 * Serves the built seat app (seat-client/dist): the passenger app at `/` (phones; the kiosk
 * loads the same origin) and the crew console at `/crew`. Hashed assets are cached for good;
 * the HTML and the service worker never are, so a new build reaches every seat on reload.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';

export const DEFAULT_SEAT_APP_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../seat-client/dist',
);

export function seatAppRouter(distDir: string = DEFAULT_SEAT_APP_DIR): Router {
  const router = Router();
  const built = fs.existsSync(path.join(distDir, 'index.html'));
  if (!built) {
    router.get(['/', '/crew'], (_req, res) => {
      res
        .status(503)
        .type('text/plain')
        .send('The seat app is not built yet: run `npm run build -w @ifec/seat-client` (npm start does it for you).\n');
    });
    return router;
  }
  const noStore = (res: express.Response) => res.setHeader('cache-control', 'no-cache');
  router.get(['/crew', '/crew/'], (_req, res) => {
    noStore(res);
    res.sendFile(path.join(distDir, 'crew', 'index.html'));
  });
  router.use(
    express.static(distDir, {
      index: 'index.html',
      setHeaders(res, file) {
        if (file.includes(`${path.sep}assets${path.sep}`))
          res.setHeader('cache-control', 'public, max-age=31536000, immutable');
        else noStore(res);
        if (file.endsWith('sw.js')) res.setHeader('service-worker-allowed', '/');
      },
    }),
  );
  return router;
}

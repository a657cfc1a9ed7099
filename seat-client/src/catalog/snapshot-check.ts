/**
 * The full check of a replication snapshot against protocol's schema (zod). Its own chunk: a cold
 * start draws home from source.ts's light check and runs this once home is on screen.
 */
import { catalogTitleDoc, describeIssues } from '@ifec/protocol';
import { type TitleView, titleView } from './model.ts';

/**
 * The live titles of a replication snapshot (or pull), each checked against protocol's schema
 * and mapped once to the view model; a document that fails is dropped with a logged reason.
 */
export function titlesOfSnapshot(
  body: unknown,
  baseUrl: string,
  warn: (message: string, detail: object) => void = console.warn,
): TitleView[] {
  const documents = (body as { documents?: unknown } | null)?.documents;
  if (!Array.isArray(documents)) {
    warn('catalogue snapshot dropped', { reason: 'no documents array' });
    return [];
  }
  const titles: TitleView[] = [];
  for (const raw of documents) {
    const doc = catalogTitleDoc.safeParse(raw);
    if (!doc.success)
      warn('catalogue title dropped', { id: (raw as { id?: unknown } | null)?.id, reason: describeIssues(doc.error) });
    else if (!doc.data._deleted) titles.push(titleView(doc.data, baseUrl));
  }
  return titles;
}

/**
 * Uploads outbox streams from the ground's checkpoint, in the order given (critical first):
 * reads batches, encodes them (columnar gzip), keeps a window in flight so a 600 ms satcom
 * round trip does not idle the link, and follows the ground's acknowledgements. The streams
 * share one window: the next stream's first batch leaves while the last ones of the stream
 * before are still unacknowledged (waiting for them idled the link a round trip per stream). A cut fails the call; the caller asks the
 * ground for its checkpoint and calls again: what arrived is deduped, nothing is skipped.
 */
import type { OutboxStream, StreamCheckpoint } from '@ifec/protocol';
import { encodeBatch } from '@ifec/protocol/node';
import type { GroundClient } from './ground-client.ts';
import type { OutboxSource } from './outbox.ts';

export interface UploadOptions {
  aircraftId: string;
  batchRecords: number;
  /** Batches in flight at most. */
  window: number;
  /**
   * Bytes in flight at most. Batches compress to a few kilobytes, so a count alone would idle
   * a satcom link: 2 Mbps x 600 ms holds 150 KB. Keep about one bandwidth-delay product.
   */
  windowBytes?: number;
  /** Bytes this link may still carry (satcom budget); undefined = unlimited. */
  budget?: { remaining(): number; spend(bytes: number): void };
  onAck?(acked: StreamCheckpoint): void;
}

export interface UploadResult {
  acked: StreamCheckpoint;
  batches: number;
  records: number;
  wireBytes: number;
  budgetExhausted: boolean;
}

export async function uploadStreams(
  client: Pick<GroundClient, 'sendBatch'>,
  source: OutboxSource,
  streams: readonly OutboxStream[],
  acked: StreamCheckpoint,
  options: UploadOptions,
): Promise<UploadResult> {
  const result: UploadResult = { acked: { ...acked }, batches: 0, records: 0, wireBytes: 0, budgetExhausted: false };
  const inFlight = new Set<Promise<void>>();
  let bytesInFlight = 0;
  let failure: unknown;
  upload: for (const stream of streams) {
    let cursor = acked[stream];
    let remaining = await source.count(stream, cursor);
    for (;;) {
      const { records, through } = await source.readBatch(stream, cursor, options.batchRecords);
      if (records.length === 0) break;
      remaining = Math.max(0, remaining - records.length);
      const bytes = encodeBatch({
        aircraftId: options.aircraftId,
        stream,
        after: cursor,
        through,
        pending: remaining,
        records,
      });
      if (options.budget && bytes.length > options.budget.remaining()) {
        result.budgetExhausted = true;
        break upload;
      }
      options.budget?.spend(bytes.length);
      cursor = through;
      result.batches++;
      result.records += records.length;
      result.wireBytes += bytes.length;
      bytesInFlight += bytes.length;
      const sent: Promise<void> = client
        .sendBatch(bytes)
        .then(
          (ack) => {
            for (const s of ['critical', 'bulk'] as const) result.acked[s] = Math.max(result.acked[s], ack.acked[s]);
            options.onAck?.(ack.acked);
          },
          (error: unknown) => {
            failure ??= error;
          },
        )
        .finally(() => {
          inFlight.delete(sent);
          bytesInFlight -= bytes.length;
        });
      inFlight.add(sent);
      while (
        inFlight.size >= options.window ||
        (options.windowBytes !== undefined && bytesInFlight >= options.windowBytes && inFlight.size > 0)
      )
        await Promise.race(inFlight);
      if (failure) break upload;
    }
  }
  await Promise.all(inFlight);
  if (failure) throw failure;
  return result;
}

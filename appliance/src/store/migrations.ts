/**
 * Versioned schema. Append a migration; never edit one that has shipped.
 * Tables fed from the journal take ids from the origin so replaying a record is harmless.
 */
import { SHOP_ANOMALY_RECORD } from '@ifec/protocol';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'aircraft, seats, crew',
    sql: `
      CREATE TABLE aircraft (
        tail_number text PRIMARY KEY,
        type text NOT NULL,
        layout jsonb NOT NULL,
        provisioned_at timestamptz NOT NULL
      );
      CREATE TABLE seats (
        seat_id text PRIMARY KEY,
        cabin_class text NOT NULL,
        seat_row integer NOT NULL,
        letter text NOT NULL,
        secret_hash text NOT NULL
      );
      CREATE TABLE crew (
        crew_id text PRIMARY KEY,
        name text NOT NULL,
        role text NOT NULL,
        pin_hash text NOT NULL
      );`,
  },
  {
    version: 2,
    name: 'journalled records: audit, seat faults; announcement state',
    sql: `
      CREATE TABLE audit (
        id text PRIMARY KEY,
        seq bigint NOT NULL,
        at timestamptz NOT NULL,
        actor text NOT NULL,
        action text NOT NULL,
        detail jsonb NOT NULL
      );
      CREATE TABLE seat_faults (
        id text PRIMARY KEY,
        seq bigint NOT NULL,
        seat_id text NOT NULL,
        code text NOT NULL,
        message text NOT NULL,
        at timestamptz NOT NULL,
        cleared_at timestamptz
      );
      CREATE INDEX seat_faults_open ON seat_faults (seat_id) WHERE cleared_at IS NULL;
      CREATE TABLE cabin_state (
        key text PRIMARY KEY,
        value jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );`,
  },
  {
    version: 3,
    name: 'media: active content load',
    sql: `
      CREATE TABLE media_state (
        key text PRIMARY KEY,
        value jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );`,
  },
  {
    version: 4,
    name: 'replication: catalogue titles and seat state (checkpoint updated_at, id)',
    sql: `
      CREATE TABLE catalog_titles (
        id text PRIMARY KEY,
        updated_at bigint NOT NULL,
        deleted boolean NOT NULL,
        doc jsonb NOT NULL
      );
      CREATE INDEX catalog_titles_checkpoint ON catalog_titles (updated_at, id);
      CREATE TABLE seat_state_docs (
        seat_id text NOT NULL,
        doc_id text NOT NULL,
        updated_at bigint NOT NULL,
        deleted boolean NOT NULL,
        doc jsonb NOT NULL,
        PRIMARY KEY (seat_id, doc_id)
      );
      CREATE INDEX seat_state_docs_checkpoint ON seat_state_docs (seat_id, updated_at, doc_id);`,
  },
  {
    version: 5,
    name: 'sync: outbox for the ground (seq = journal seq), sync state, ground publications',
    sql: `
      CREATE TABLE outbox (
        seq bigint PRIMARY KEY,
        stream text NOT NULL,
        kind text NOT NULL,
        id text NOT NULL,
        at timestamptz NOT NULL,
        data jsonb NOT NULL
      );
      CREATE INDEX outbox_by_stream ON outbox (stream, seq);
      CREATE TABLE sync_state (
        key text PRIMARY KEY,
        value jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE ground_publications (
        seq bigint PRIMARY KEY,
        kind text NOT NULL,
        name text NOT NULL,
        version integer NOT NULL,
        publication jsonb NOT NULL,
        state text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX ground_publications_by_name ON ground_publications (kind, name, version);`,
  },
  {
    version: 6,
    name: 'passenger sessions, phone pairings, playback-state documents (Yjs updates), anonymous viewing counts',
    sql: `
      CREATE TABLE passenger_sessions (
        session_id text PRIMARY KEY,
        seat_id text NOT NULL UNIQUE,
        started_at timestamptz NOT NULL
      );
      CREATE TABLE phone_pairings (
        device_id text PRIMARY KEY,
        seat_id text NOT NULL,
        session_id text NOT NULL,
        paired_at timestamptz NOT NULL
      );
      CREATE TABLE resume_updates (
        id bigserial PRIMARY KEY,
        session_id text NOT NULL,
        update bytea NOT NULL
      );
      CREATE INDEX resume_updates_by_session ON resume_updates (session_id, id);
      CREATE TABLE viewing_counts (
        title_id text PRIMARY KEY,
        sessions integer NOT NULL
      );`,
  },
  {
    version: 7,
    name: 'onboard shop: orders (journalled, sent to the ground) and their status',
    sql: `
      CREATE TABLE shop_orders (
        order_id text PRIMARY KEY,
        seq bigint NOT NULL,
        catalogue_seq bigint NOT NULL,
        seat_id text NOT NULL,
        session_id text NOT NULL,
        status text NOT NULL,
        placed_at timestamptz NOT NULL,
        request_hash text NOT NULL,
        record jsonb NOT NULL
      );
      CREATE INDEX shop_orders_by_seat ON shop_orders (seat_id, placed_at);`,
  },
  {
    version: 8,
    name: 'outbox: the shop anomaly flags a start reloads, found without reading the whole outbox',
    // The shop reloads its open flags at every start (SELECT … WHERE kind = 'shop.anomaly'): without
    // this, a start after 1,000,000 records read every outbox row (1.7 s). Partial: no cost on other inserts.
    sql: `CREATE INDEX outbox_shop_anomalies ON outbox (seq) WHERE kind = '${SHOP_ANOMALY_RECORD}';`,
  },
];

/** The ground's versioned schema. Append a migration; never edit one that has shipped. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'tenants, aircraft, uplink records, publications, files',
    sql: `
      CREATE TABLE tenants (
        tenant_id text PRIMARY KEY,
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE api_keys (
        key_hash text PRIMARY KEY,
        tenant_id text NOT NULL REFERENCES tenants,
        label text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE aircraft (
        aircraft_id text PRIMARY KEY,
        tenant_id text NOT NULL REFERENCES tenants,
        public_key text NOT NULL,
        registered_at timestamptz NOT NULL DEFAULT now(),
        last_contact_at timestamptz,
        last_link text,
        acked_critical bigint NOT NULL DEFAULT 0,
        acked_bulk bigint NOT NULL DEFAULT 0,
        reported_pending bigint NOT NULL DEFAULT 0,
        downlink_applied bigint NOT NULL DEFAULT 0,
        last_uplink_bundle bigint NOT NULL DEFAULT 0,
        downlink_bundle_seq bigint NOT NULL DEFAULT 0
      );
      CREATE INDEX aircraft_tenant ON aircraft (tenant_id);
      CREATE TABLE aircraft_errors (
        aircraft_id text NOT NULL REFERENCES aircraft,
        at timestamptz NOT NULL DEFAULT now(),
        code text NOT NULL,
        message text NOT NULL
      );
      CREATE INDEX aircraft_errors_by_aircraft ON aircraft_errors (aircraft_id, at);
      CREATE TABLE uplink_ranges (
        aircraft_id text NOT NULL,
        stream text NOT NULL,
        after_seq bigint NOT NULL,
        through_seq bigint NOT NULL,
        PRIMARY KEY (aircraft_id, stream, after_seq, through_seq)
      );
      CREATE TABLE uplink_records (
        aircraft_id text NOT NULL,
        seq bigint NOT NULL,
        kind text NOT NULL,
        record_id text NOT NULL,
        at timestamptz NOT NULL,
        data jsonb NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (aircraft_id, seq)
      );
      CREATE TABLE publications (
        seq bigserial PRIMARY KEY,
        tenant_id text NOT NULL REFERENCES tenants,
        kind text NOT NULL,
        name text NOT NULL,
        version integer NOT NULL,
        aircraft_id text,
        signed jsonb,
        published_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX publications_by_tenant ON publications (tenant_id, seq);
      CREATE TABLE files (
        tenant_id text NOT NULL REFERENCES tenants,
        sha256 text NOT NULL,
        size bigint NOT NULL,
        chunk_size integer NOT NULL,
        PRIMARY KEY (tenant_id, sha256)
      );
      CREATE TABLE file_chunks (
        tenant_id text NOT NULL,
        sha256 text NOT NULL,
        idx integer NOT NULL,
        bytes bytea NOT NULL,
        PRIMARY KEY (tenant_id, sha256, idx)
      )`,
  },
  {
    version: 2,
    name: 'publications numbered at commit, backlog per stream, shared signing key, retention',
    sql: `
      CREATE TABLE publication_heads (
        tenant_id text PRIMARY KEY REFERENCES tenants,
        head bigint NOT NULL
      );
      INSERT INTO publication_heads (tenant_id, head)
        SELECT tenant_id, (SELECT COALESCE(max(seq), 0) FROM publications) FROM tenants;
      ALTER TABLE publications ALTER COLUMN seq DROP DEFAULT;
      DROP SEQUENCE IF EXISTS publications_seq_seq;
      ALTER TABLE publications DROP CONSTRAINT publications_pkey;
      ALTER TABLE publications ADD PRIMARY KEY (tenant_id, seq);
      DROP INDEX IF EXISTS publications_by_tenant;
      ALTER TABLE aircraft
        ADD COLUMN pending_critical bigint NOT NULL DEFAULT 0,
        ADD COLUMN pending_critical_through bigint NOT NULL DEFAULT 0,
        ADD COLUMN pending_bulk bigint NOT NULL DEFAULT 0,
        ADD COLUMN pending_bulk_through bigint NOT NULL DEFAULT 0,
        ADD COLUMN exported_through bigint NOT NULL DEFAULT 0;
      CREATE TABLE ground_signing_key (
        only_one boolean PRIMARY KEY DEFAULT true CHECK (only_one),
        fingerprint text NOT NULL,
        public_key text NOT NULL,
        configured boolean NOT NULL,
        claimed_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE tenant_retention (
        tenant_id text PRIMARY KEY REFERENCES tenants,
        keep_days integer NOT NULL,
        require_export boolean NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`,
  },
  {
    version: 3,
    name: 'settlement: payments per order (exactly once), the sandbox acquirer, the audit of payments',
    sql: `
      CREATE TABLE shop_payments (
        order_id text PRIMARY KEY,
        aircraft_id text NOT NULL,
        tenant_id text NOT NULL,
        seq bigint NOT NULL,
        amount_minor bigint NOT NULL,
        currency text NOT NULL,
        state text NOT NULL,
        decline_code text,
        reference text,
        attempts integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        settled_at timestamptz,
        refunded_at timestamptz
      );
      CREATE INDEX shop_payments_by_state ON shop_payments (state, created_at);
      CREATE TABLE sandbox_acquirer_charges (
        idempotency_key text PRIMARY KEY,
        kind text NOT NULL,
        amount_minor bigint NOT NULL,
        currency text NOT NULL,
        outcome text NOT NULL,
        code text NOT NULL,
        reference text NOT NULL,
        card_last4 text NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE ground_audit (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        tenant_id text NOT NULL,
        aircraft_id text,
        event text NOT NULL,
        subject text NOT NULL,
        detail jsonb NOT NULL
      );
      CREATE UNIQUE INDEX ground_audit_once ON ground_audit (event, subject);`,
  },
  {
    version: 4,
    name: 'recommendations: the viewing-count table, fed by the outbox viewing.count records',
    // Rows are added with each uplink batch (recommendations/viewing-counts.ts); the counts already held are copied once.
    sql: `
  CREATE TABLE viewing_counts (
    aircraft_id text NOT NULL REFERENCES aircraft,
    record_id text NOT NULL,
    seq bigint NOT NULL,
    watched_at timestamptz NOT NULL,
    title_id text NOT NULL,
    cabin_class text NOT NULL,
    watched_s integer NOT NULL,
    completed boolean NOT NULL,
    audio_language text,
    route text,
    region text,
    hour smallint,
    flight_id text,
    PRIMARY KEY (aircraft_id, record_id)
  );
  CREATE INDEX viewing_counts_by_time ON viewing_counts (watched_at);
  INSERT INTO viewing_counts (aircraft_id, record_id, seq, watched_at, title_id, cabin_class, watched_s, completed,
      audio_language, route, region, hour, flight_id)
    SELECT aircraft_id, record_id, seq, at, data->>'titleId', data->>'cabinClass', round((data->>'watchedS')::numeric),
      (data->>'completed')::boolean, data->>'audioLanguage', data->>'route', data->>'region',
      (data->>'hour')::smallint, data->>'flightId'
    FROM uplink_records
    WHERE kind = 'viewing.count' AND jsonb_typeof(data) = 'object'
      AND data ? 'titleId' AND data ? 'cabinClass' AND jsonb_typeof(data->'watchedS') = 'number'
      AND jsonb_typeof(data->'completed') = 'boolean'
    ON CONFLICT DO NOTHING`,
  },
  {
    version: 5,
    name: 'receipts: one e-mail per settled order, the address kept only until it is sent',
    // The address moves here from the uplink record when the order is settled and is erased once the
    // relay took the mail (or refused it for good); the row stays as the proof it was sent once.
    sql: `
  CREATE TABLE shop_receipts (
    order_id text PRIMARY KEY REFERENCES shop_payments,
    tenant_id text NOT NULL,
    aircraft_id text NOT NULL,
    email text,
    state text NOT NULL DEFAULT 'due',
    attempts integer NOT NULL DEFAULT 0,
    next_at timestamptz NOT NULL DEFAULT now(),
    lease_until timestamptz,
    last_error text,
    message_id text,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz
  );
  CREATE INDEX shop_receipts_due ON shop_receipts (state, next_at);
  CREATE INDEX uplink_orders_with_email ON uplink_records (aircraft_id, seq)
    WHERE kind = 'order' AND (data->'order') ? 'email'`,
  },
];

-- Webhook notifications fed by the outbox (0012). A subscription belongs to a region (its coordinators' systems get the
-- events of cases of that home region) or to a provider organisation (the events that concern it); never both.
-- The secret is needed in clear to sign (HMAC), so it is stored encrypted (AES-256-GCM under a key derived from
-- PATIENT_DATA_KEY, src/services/notifications/webhooks.service.ts) and shown only once, in the answer that creates it.
CREATE TABLE webhook_subscriptions (
  id uuid PRIMARY KEY,
  region_code char(2) REFERENCES regions (code),
  organization_id text REFERENCES organizations (id),
  url text NOT NULL,
  secret_encrypted text NOT NULL,
  -- empty: every event type
  event_types text[] NOT NULL DEFAULT '{}',
  description text,
  active boolean NOT NULL DEFAULT true,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  version integer NOT NULL DEFAULT 1,
  CONSTRAINT webhook_subscriptions_one_owner CHECK ((region_code IS NULL) <> (organization_id IS NULL))
);
CREATE INDEX webhook_subscriptions_region_idx ON webhook_subscriptions (region_code) WHERE active;
CREATE INDEX webhook_subscriptions_organization_idx ON webhook_subscriptions (organization_id) WHERE active;

-- One row per (subscription, event). pending → delivered, or → dead 24 hours after the event; an admin may re-queue a
-- dead one. A delivery being sent has next_attempt_at moved ahead (the claim), so no other instance takes it meanwhile.
CREATE TABLE webhook_deliveries (
  id uuid PRIMARY KEY,
  subscription_id uuid NOT NULL REFERENCES webhook_subscriptions (id),
  event_seq bigint NOT NULL REFERENCES outbox_events (seq),
  event_id uuid NOT NULL,
  case_id uuid,
  status text NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  -- retries stop here (24 hours after the event, or after a re-queue)
  give_up_at timestamptz NOT NULL,
  last_attempt_at timestamptz,
  last_status integer,
  last_error text,
  delivered_at timestamptz,
  dead_at timestamptz,
  created_at timestamptz NOT NULL,
  CONSTRAINT webhook_deliveries_once UNIQUE (subscription_id, event_id)
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_case_idx ON webhook_deliveries (subscription_id, case_id, event_seq) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_dead_idx ON webhook_deliveries (dead_at, id) WHERE status = 'dead';

-- Gap-free fan-out. seq is taken when an event is inserted, but transactions commit in another order, so "the last seq
-- done" could skip an event whose transaction commits late. Each event therefore records its transaction id, and the
-- fan-out only takes events of transactions older than the oldest one of this database still running (the snapshot's
-- xmin, leaving out transactions of other databases: notifications.repository.ts outboxHorizon): those are all visible
-- and no older one can appear later. The cursor is the (xid, seq) of the last event fanned out; its row is
-- locked FOR UPDATE by the fan-out, so two instances never fan out the same events.
ALTER TABLE outbox_events ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX outbox_events_xid_idx ON outbox_events (xid, seq);

CREATE TABLE webhook_fanout_cursor (
  id integer PRIMARY KEY CHECK (id = 1),
  last_xid xid8 NOT NULL,
  last_seq bigint NOT NULL,
  updated_at timestamptz
);
INSERT INTO webhook_fanout_cursor (id, last_xid, last_seq) VALUES (1, '0', 0);

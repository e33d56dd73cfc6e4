-- The transactional outbox: every brokering change writes its event here in the same transaction as the change, so an
-- event exists exactly when the change committed. Deliveries (webhooks, server-sent events) read from it; events carry
-- no patient identity. seq orders events globally (and so per case); id is the event id receivers de-duplicate on.
CREATE TABLE outbox_events (
  seq bigserial PRIMARY KEY,
  id uuid NOT NULL UNIQUE,
  type text NOT NULL,
  case_id uuid,
  -- who is told: the coordinators of the home region, and the provider organisation the event concerns (if any)
  region_code char(2),
  organization_id text,
  payload jsonb NOT NULL,
  occurred_at timestamptz NOT NULL
);
CREATE INDEX outbox_events_case_idx ON outbox_events (case_id, seq);
CREATE INDEX outbox_events_region_idx ON outbox_events (region_code, seq);
CREATE INDEX outbox_events_organization_idx ON outbox_events (organization_id, seq);

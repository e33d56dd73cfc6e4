-- Identity (API clients, signing keys) and the append-only, hash-chained audit log.
CREATE TABLE clients (
  id text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{1,99}$'),
  name text NOT NULL,
  roles text[] NOT NULL CHECK (cardinality(roles) > 0),
  region_code char(2) REFERENCES regions(code),
  organization_id text REFERENCES organizations(id),
  unit_hsa_id text REFERENCES units(hsa_id),
  -- scrypt hash of a client secret (only demo/sandbox mode accepts secrets)
  secret_hash text,
  -- public keys for private_key_jwt (a JWK Set)
  jwks jsonb,
  synthetic boolean NOT NULL DEFAULT false,
  disabled boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (secret_hash IS NOT NULL OR jwks IS NOT NULL)
);

CREATE TABLE signing_keys (
  kid text PRIMARY KEY,
  alg text NOT NULL,
  private_jwk jsonb NOT NULL,
  public_jwk jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- the newest non-retired key signs; retired keys stay published until expires_at so issued tokens verify
  retired_at timestamptz,
  expires_at timestamptz
);

-- private_key_jwt assertions are single use (RFC 7523 §3 item 7: jti)
CREATE TABLE client_assertion_jtis (
  client_id text NOT NULL,
  jti text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (client_id, jti)
);

CREATE TABLE audit_events (
  seq bigint PRIMARY KEY,
  id uuid NOT NULL UNIQUE,
  occurred_at timestamptz NOT NULL,
  actor_subject text NOT NULL,
  actor_roles text[] NOT NULL,
  actor_region_code text,
  actor_organization_id text,
  actor_unit_hsa_id text,
  action text NOT NULL,
  entity_type text NOT NULL,
  entity_id text,
  outcome text NOT NULL CHECK (outcome IN ('success', 'denied', 'failure')),
  request_id text,
  -- keyed hash of the patient's identity, so the patient's log extract can find the event; never the identity itself
  patient_ref text,
  details jsonb NOT NULL DEFAULT '{}',
  prev_hash text NOT NULL,
  hash text NOT NULL
);
CREATE INDEX audit_events_entity_idx ON audit_events(entity_type, entity_id);
CREATE INDEX audit_events_patient_idx ON audit_events(patient_ref) WHERE patient_ref IS NOT NULL;

-- The head of the chain: one row, locked by each append so that appends are serialised.
CREATE TABLE audit_head (
  id integer PRIMARY KEY CHECK (id = 1),
  seq bigint NOT NULL,
  hash text NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, 'genesis');

CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only: % is refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- Idempotency-Key replay for POSTs (contract, HTTP conventions)
CREATE TABLE idempotency_keys (
  principal text NOT NULL,
  key text NOT NULL,
  method text NOT NULL,
  path text NOT NULL,
  request_hash text NOT NULL,
  status integer NOT NULL,
  response jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (principal, key)
);

-- The audit chains' daily anchor (ADR 0017): once a day the 64 chain heads as they stood, and their digest, which is
-- published (GET /api/v1/audit/anchors, the server's log) so that copies are kept outside the database. A rewrite of
-- the log that also rewrites the chains after the change (which the chain alone cannot show) no longer matches an
-- anchor taken before it; GET /api/v1/audit/verify checks every stored anchor against the chains.
CREATE TABLE audit_anchors (
  day date PRIMARY KEY,
  taken_at timestamptz NOT NULL,
  -- [{ "chain": 1, "seq": 41, "hash": "…" }, …] for chains 1 to 64, in order
  heads jsonb NOT NULL CHECK (jsonb_typeof(heads) = 'array' AND jsonb_array_length(heads) = 64),
  digest text NOT NULL CHECK (digest ~ '^[0-9a-f]{64}$')
);

-- Append-only, as the audit events: the refusal names the table it was asked of.
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % is refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_anchors_no_update BEFORE UPDATE OR DELETE ON audit_anchors
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_anchors_no_truncate BEFORE TRUNCATE ON audit_anchors
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

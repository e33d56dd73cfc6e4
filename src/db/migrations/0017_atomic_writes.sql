-- Brokering use cases as one read and one atomic write statement (ADR 0016, amending ADR 0011, 0012 and 0014).
--
-- cases.change_seq moves on with every change to a case or to one of its requests (the repository's writers all move
-- it). A use case reads the case and its requests in one statement, decides in the domain, and writes everything — the
-- case, its requests, the outbox events and the audit events — in one statement guarded by change_seq: when the case
-- or a request changed in between, the guard matches no row, nothing is written and the use case runs again on what
-- is now stored. No explicit transaction, no lock held between round trips.
ALTER TABLE cases ADD COLUMN change_seq bigint NOT NULL DEFAULT 0;

-- Append audit events to one chain (ADR 0014) inside the calling statement: the chain's head is locked and read here,
-- so the events link to the head as it is (no guess, no second statement). Each event arrives as its row (the columns
-- of audit_events but chain, seq, prev_hash, hash) with `hash_prefix` and `hash_suffix`: the event's canonical JSON
-- before and after its position in the chain (its last key, "seq"), from src/domain/audit.ts (chainInputParts), so
-- the hash is sha256(prev_hash || '\n' || prefix || seq || suffix) — the same text GET /audit/verify recomputes.
-- Returns the chain's new position.
CREATE FUNCTION audit_append(p_chain integer, p_events jsonb) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  s bigint;
  prev text;
  h text;
  e jsonb;
BEGIN
  SELECT a.seq, a.hash INTO s, prev FROM audit_head a WHERE a.id = p_chain FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'audit chain % has no head', p_chain;
  END IF;
  FOR e IN SELECT value FROM jsonb_array_elements(p_events) LOOP
    s := s + 1;
    h := encode(sha256(convert_to(prev || E'\n' || (e->>'hash_prefix') || s::text || (e->>'hash_suffix'), 'UTF8')), 'hex');
    INSERT INTO audit_events (chain, seq, id, occurred_at, actor_subject, actor_roles, actor_region_code, actor_organization_id, actor_unit_hsa_id,
                              action, entity_type, entity_id, outcome, request_id, patient_ref, details, prev_hash, hash)
      SELECT p_chain, s, r.id, r.occurred_at, r.actor_subject, r.actor_roles, r.actor_region_code, r.actor_organization_id, r.actor_unit_hsa_id,
             r.action, r.entity_type, r.entity_id, r.outcome, r.request_id, r.patient_ref, COALESCE(e->'details', '{}'::jsonb), prev, h
      FROM jsonb_populate_record(NULL::audit_events, e) AS r;
    prev := h;
  END LOOP;
  UPDATE audit_head SET seq = s, hash = prev WHERE id = p_chain;
  RETURN s;
END $$;

-- An invariant of an atomic write that must hold, else the whole statement fails (and so writes nothing).
CREATE FUNCTION write_assert(ok boolean, message text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  IF ok IS NOT TRUE THEN
    RAISE EXCEPTION 'atomic write: %', message;
  END IF;
  RETURN true;
END $$;

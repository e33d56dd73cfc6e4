-- Brokering use cases as one read and one atomic write statement (ADR 0016, amending ADR 0011, 0012 and 0014).
--
-- cases.change_seq moves on with every change to a case or to one of its requests (the repository's writers all move
-- it). A use case reads the case and its requests in one statement, decides in the domain, and writes everything — the
-- case, its requests, the outbox events and the audit events — in one statement guarded by change_seq: when the case
-- or a request changed in between, the guard matches no row, nothing is written and the use case runs again on what
-- is now stored. No explicit transaction, no lock held between round trips.
ALTER TABLE cases ADD COLUMN change_seq bigint NOT NULL DEFAULT 0;

-- Append audit events to one chain (ADR 0014) inside the calling statement: the chain's head is locked and read here,
-- so the events link to the head as it is (no guess, no second statement). Each event arrives as the two parts of its
-- canonical JSON around its position in the chain (its last key, "seq"), from src/domain/audit.ts (chainInputParts):
-- the event's text is prefix || seq || suffix, its hash sha256(prev_hash || '\n' || text) — the same text
-- GET /audit/verify recomputes — and its row is read from that text. Returns the chain's new position.
CREATE FUNCTION audit_append(p_chain integer, p_events jsonb) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  s bigint;
  prev text;
  h text;
  t text;
  e jsonb;
BEGIN
  SELECT a.seq, a.hash INTO s, prev FROM audit_head a WHERE a.id = p_chain FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'audit chain % has no head', p_chain;
  END IF;
  FOR e IN SELECT value FROM jsonb_array_elements(p_events) LOOP
    s := s + 1;
    t := (e->>0) || s::text || (e->>1);
    h := encode(sha256(convert_to(prev || E'\n' || t, 'UTF8')), 'hex');
    INSERT INTO audit_events (chain, seq, id, occurred_at, actor_subject, actor_roles, actor_region_code, actor_organization_id, actor_unit_hsa_id,
                              action, entity_type, entity_id, outcome, request_id, patient_ref, details, prev_hash, hash)
      SELECT p_chain, s, x."id", x."occurredAt", x."actorSubject", x."actorRoles", x."actorRegionCode", x."actorOrganizationId", x."actorUnitHsaId",
             x."action", x."entityType", x."entityId", x."outcome", x."requestId", x."patientRef", COALESCE(x."details", '{}'::jsonb), prev, h
      FROM jsonb_to_record(t::jsonb) AS x("id" uuid, "occurredAt" timestamptz, "actorSubject" text, "actorRoles" text[], "actorRegionCode" text,
        "actorOrganizationId" text, "actorUnitHsaId" text, "action" text, "entityType" text, "entityId" text, "outcome" text, "requestId" text,
        "patientRef" text, "details" jsonb);
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

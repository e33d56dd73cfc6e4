-- Declared equivalents in the service catalogue (issue 4, brokering): a unit offering `equivalent_id` can take a
-- patient who needs `service_id` — the national function declares it, e.g. a day-surgery variant of a procedure.
-- Directed: (S, E) does not make S an equivalent of E. The national capacity search lists units offering a declared
-- equivalent among the candidates of S, and a request for a case of S may go to such a unit.
CREATE TABLE service_equivalents (
  service_id text NOT NULL REFERENCES services(id),
  equivalent_id text NOT NULL REFERENCES services(id),
  declared_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (service_id, equivalent_id),
  CHECK (service_id <> equivalent_id)
);
-- "which services is E declared equivalent to" (the contact-type check when E changes)
CREATE INDEX service_equivalents_equivalent_idx ON service_equivalents(equivalent_id, service_id);

-- The search's candidate cache and the directory answer cache are keyed on directory_version (0003).
CREATE TRIGGER service_equivalents_directory_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON service_equivalents
  FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();

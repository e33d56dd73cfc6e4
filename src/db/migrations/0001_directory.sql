-- National directory: regions, municipalities, provider organisations, care units and the service catalogue.
CREATE TABLE regions (
  code char(2) PRIMARY KEY CHECK (code ~ '^[0-9]{2}$'),
  name text NOT NULL,
  county text NOT NULL,
  iso3166_2 text NOT NULL,
  seat text NOT NULL,
  population_approx integer NOT NULL,
  lat double precision NOT NULL,
  lng double precision NOT NULL
);

CREATE TABLE municipalities (
  code char(4) PRIMARY KEY CHECK (code ~ '^[0-9]{4}$'),
  name text NOT NULL,
  region_code char(2) NOT NULL REFERENCES regions(code),
  lat double precision NOT NULL,
  lng double precision NOT NULL
);
CREATE INDEX municipalities_region_idx ON municipalities(region_code);

CREATE TABLE organizations (
  id text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  name text NOT NULL,
  organization_number char(11) NOT NULL UNIQUE CHECK (organization_number ~ '^[0-9]{6}-[0-9]{4}$'),
  kind text NOT NULL CHECK (kind IN ('region', 'private')),
  region_code char(2) REFERENCES regions(code),
  synthetic boolean NOT NULL DEFAULT false,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (kind <> 'region' OR region_code IS NOT NULL)
);

CREATE TABLE services (
  id text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  name_sv text NOT NULL,
  name_en text NOT NULL,
  contact_type text NOT NULL CHECK (contact_type IN ('first_visit', 'treatment', 'primary_assessment')),
  specialty text NOT NULL,
  kva_codes text[] NOT NULL DEFAULT '{}',
  source text,
  active boolean NOT NULL DEFAULT true,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE units (
  hsa_id text PRIMARY KEY CHECK (hsa_id ~ '^SE[0-9]{10}-[A-Z0-9]{1,19}$'),
  name text NOT NULL,
  organization_id text NOT NULL REFERENCES organizations(id),
  region_code char(2) NOT NULL REFERENCES regions(code),
  municipality_code char(4) NOT NULL REFERENCES municipalities(code),
  lat double precision NOT NULL,
  lng double precision NOT NULL,
  kind text NOT NULL DEFAULT 'clinic' CHECK (kind IN ('hospital', 'clinic', 'primary_care')),
  synthetic boolean NOT NULL DEFAULT false,
  active boolean NOT NULL DEFAULT true,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX units_region_idx ON units(region_code);
CREATE INDEX units_org_idx ON units(organization_id);
CREATE INDEX units_municipality_idx ON units(municipality_code);

CREATE TABLE unit_services (
  unit_hsa_id text NOT NULL REFERENCES units(hsa_id) ON DELETE CASCADE,
  service_id text NOT NULL REFERENCES services(id),
  PRIMARY KEY (unit_hsa_id, service_id)
);
CREATE INDEX unit_services_service_idx ON unit_services(service_id, unit_hsa_id);

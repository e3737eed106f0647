-- Foundation: gazetteer, service catalogue, offices register, accounts,
-- sessions, login throttling, audit log, scheduled-job runs.

CREATE TABLE regions (
    code          TEXT PRIMARY KEY,
    level         TEXT NOT NULL CHECK (level IN ('province', 'city', 'district')),
    parent_code   TEXT REFERENCES regions (code),
    name_fa       TEXT NOT NULL,
    name_en       TEXT NOT NULL,
    aliases       TEXT NOT NULL DEFAULT '[]',
    population    BIGINT NOT NULL CHECK (population >= 0),
    census_year   INTEGER NOT NULL,
    latitude      {{float}} NOT NULL,
    longitude     {{float}} NOT NULL,
    radius_m      {{float}} NOT NULL DEFAULT 0,
    boundary      TEXT,
    neighbours    TEXT NOT NULL DEFAULT '[]',
    sort_order    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX regions_parent ON regions (parent_code);
CREATE INDEX regions_level ON regions (level);

CREATE TABLE services (
    code             TEXT PRIMARY KEY,
    name_fa          TEXT NOT NULL,
    name_en          TEXT NOT NULL,
    channel          TEXT NOT NULL CHECK (channel IN ('office_only', 'office_or_self_service')),
    handling_minutes INTEGER NOT NULL CHECK (handling_minutes > 0),
    fee_rials        BIGINT NOT NULL DEFAULT 0,
    description_en   TEXT NOT NULL DEFAULT '',
    sort_order       INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE offices (
    id             {{id}},
    code           TEXT NOT NULL UNIQUE,
    name_fa        TEXT NOT NULL,
    name_en        TEXT NOT NULL DEFAULT '',
    owner_name     TEXT NOT NULL DEFAULT '',
    province_code  TEXT NOT NULL REFERENCES regions (code),
    city_code      TEXT NOT NULL REFERENCES regions (code),
    district_code  TEXT REFERENCES regions (code),
    latitude       {{float}} NOT NULL,
    longitude      {{float}} NOT NULL,
    address        TEXT NOT NULL DEFAULT '',
    phone          TEXT NOT NULL DEFAULT '',
    counters       INTEGER NOT NULL CHECK (counters BETWEEN 1 AND 100),
    opening_hours  TEXT NOT NULL DEFAULT '{}',
    status         TEXT NOT NULL CHECK (status IN ('pending', 'active', 'suspended', 'closed')),
    search_text    TEXT NOT NULL DEFAULT '',
    version        BIGINT NOT NULL DEFAULT 1,
    created_at     {{ts}} NOT NULL,
    updated_at     {{ts}} NOT NULL
);
CREATE INDEX offices_city ON offices (city_code, status);
CREATE INDEX offices_province ON offices (province_code, status);
CREATE INDEX offices_status ON offices (status);

CREATE TABLE office_services (
    office_id     BIGINT NOT NULL REFERENCES offices (id) ON DELETE CASCADE,
    service_code  TEXT NOT NULL REFERENCES services (code),
    PRIMARY KEY (office_id, service_code)
);
CREATE INDEX office_services_service ON office_services (service_code);

CREATE TABLE users (
    id             {{id}},
    username       TEXT NOT NULL UNIQUE,
    full_name      TEXT NOT NULL DEFAULT '',
    password_hash  TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('admin', 'ministry', 'inspector', 'office_owner')),
    office_id      BIGINT REFERENCES offices (id),
    disabled       BOOLEAN NOT NULL DEFAULT FALSE,
    version        BIGINT NOT NULL DEFAULT 1,
    last_login_at  {{ts}},
    created_at     {{ts}} NOT NULL,
    updated_at     {{ts}} NOT NULL,
    CHECK ((role = 'office_owner') = (office_id IS NOT NULL))
);
CREATE INDEX users_office ON users (office_id);

CREATE TABLE sessions (
    id             {{id}},
    token_hash     TEXT NOT NULL UNIQUE,
    user_id        BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at     {{ts}} NOT NULL,
    last_seen_at   {{ts}} NOT NULL,
    expires_at     {{ts}} NOT NULL,
    revoked_at     {{ts}},
    client_ip      TEXT NOT NULL DEFAULT '',
    user_agent     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Failed logins counted per key ("user:<name>" or "ip:<address>") in a
-- fixed window, shared by every replica.
CREATE TABLE login_throttle (
    key            TEXT PRIMARY KEY,
    failures       INTEGER NOT NULL,
    window_start   {{ts}} NOT NULL,
    blocked_until  {{ts}}
);

CREATE TABLE audit_events (
    id           {{id}},
    at           {{ts}} NOT NULL,
    actor_id     BIGINT,
    actor_name   TEXT NOT NULL,
    actor_role   TEXT NOT NULL,
    action       TEXT NOT NULL,
    entity       TEXT NOT NULL,
    entity_id    TEXT NOT NULL,
    before_json  TEXT,
    after_json   TEXT,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL UNIQUE
);
CREATE INDEX audit_events_entity ON audit_events (entity, entity_id);

CREATE TABLE job_runs (
    id           {{id}},
    job          TEXT NOT NULL,
    instance     TEXT NOT NULL,
    started_at   {{ts}} NOT NULL,
    finished_at  {{ts}},
    status       TEXT NOT NULL CHECK (status IN ('running', 'ok', 'failed', 'skipped')),
    detail       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX job_runs_job ON job_runs (job, started_at);

-- Ranking: directive versions, inspections, runs and their results.

CREATE TABLE ranking_directives (
    version         INTEGER PRIMARY KEY,
    effective_from  TEXT NOT NULL,
    body            TEXT NOT NULL,
    created_at      {{ts}} NOT NULL,
    created_by      TEXT NOT NULL
);

CREATE TABLE inspections (
    id            {{id}},
    office_id     BIGINT NOT NULL REFERENCES offices (id),
    inspected_on  TEXT NOT NULL,
    inspector     TEXT NOT NULL,
    violations    TEXT NOT NULL DEFAULT '[]',
    minor         INTEGER NOT NULL DEFAULT 0,
    major         INTEGER NOT NULL DEFAULT 0,
    critical      INTEGER NOT NULL DEFAULT 0,
    notes         TEXT NOT NULL DEFAULT '',
    created_at    {{ts}} NOT NULL
);
CREATE INDEX inspections_office ON inspections (office_id, inspected_on);
CREATE INDEX inspections_day ON inspections (inspected_on);

CREATE TABLE ranking_runs (
    id                 {{id}},
    period             TEXT NOT NULL,
    period_kind        TEXT NOT NULL CHECK (period_kind IN ('month', 'quarter')),
    period_start       {{ts}} NOT NULL,
    directive_version  INTEGER NOT NULL REFERENCES ranking_directives (version),
    state              TEXT NOT NULL CHECK (state IN ('draft', 'published')),
    inputs_checksum    TEXT NOT NULL,
    results_checksum   TEXT NOT NULL,
    inputs             TEXT NOT NULL,
    offices            INTEGER NOT NULL,
    ranked             INTEGER NOT NULL,
    version            BIGINT NOT NULL DEFAULT 1,
    created_at         {{ts}} NOT NULL,
    created_by         TEXT NOT NULL,
    published_at       {{ts}},
    published_by       TEXT,
    UNIQUE (period)
);

CREATE TABLE ranking_results (
    run_id             BIGINT NOT NULL REFERENCES ranking_runs (id) ON DELETE CASCADE,
    office_id          BIGINT NOT NULL REFERENCES offices (id),
    province_code      TEXT NOT NULL,
    score              {{float}},
    rank_national      INTEGER,
    rank_province      INTEGER,
    grade              TEXT,
    insufficient_data  BOOLEAN NOT NULL,
    responses          BIGINT NOT NULL,
    score_change       {{float}},
    rank_change        INTEGER,
    components         TEXT NOT NULL,
    PRIMARY KEY (run_id, office_id)
);
CREATE INDEX ranking_results_office ON ranking_results (office_id, run_id);

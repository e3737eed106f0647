-- Licensing (issue 5): rounds with quotas per city, their allocations of
-- candidates, licences numbered gap-free per province and year, and each
-- licence's history. docs/licensing.md describes the flow.

-- A round: a total of licences, the policy it applied (JSON) and the demand
-- model's shared inputs when its quotas were computed (JSON).
CREATE TABLE licensing_rounds (
    id              {{id}},
    name            TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('open', 'allocated', 'closed')),
    total_licences  INTEGER NOT NULL CHECK (total_licences >= 1),
    exam_year       INTEGER NOT NULL,
    policy          TEXT NOT NULL,
    demand          TEXT NOT NULL,
    placed          INTEGER NOT NULL DEFAULT 0,
    unplaced        INTEGER NOT NULL DEFAULT 0,
    proposals       INTEGER NOT NULL DEFAULT 0,
    version         BIGINT NOT NULL DEFAULT 1,
    created_by      TEXT NOT NULL DEFAULT '',
    created_at      {{ts}} NOT NULL,
    updated_at      {{ts}} NOT NULL,
    allocated_at    {{ts}},
    closed_at       {{ts}}
);
CREATE INDEX licensing_rounds_state ON licensing_rounds (state, created_at);

-- One row per city of the gazetteer and round: the demand figures the quota
-- came from, the quota by largest remainder, the quota in force (an
-- override pins it, with its reason), seats filled by the allocation (or
-- singly) and licences issued. The CHECKs are the last guard of the quota.
CREATE TABLE licensing_round_quotas (
    round_id           BIGINT NOT NULL REFERENCES licensing_rounds (id) ON DELETE CASCADE,
    region             TEXT NOT NULL REFERENCES regions (code),
    needed             INTEGER NOT NULL,
    active_offices     INTEGER NOT NULL,
    licensed_not_open  INTEGER NOT NULL,
    shortage           INTEGER NOT NULL CHECK (shortage >= 0),
    computed_quota     INTEGER NOT NULL CHECK (computed_quota >= 0),
    quota              INTEGER NOT NULL CHECK (quota >= 0),
    override_reason    TEXT,
    overridden_by      TEXT,
    overridden_at      {{ts}},
    filled             INTEGER NOT NULL DEFAULT 0 CHECK (filled >= 0),
    issued             INTEGER NOT NULL DEFAULT 0 CHECK (issued >= 0 AND issued <= quota),
    PRIMARY KEY (round_id, region)
);

-- Every qualifying candidate's result in a round, placed (region set) or
-- not, with the reason in English and Persian.
CREATE TABLE licensing_allocations (
    round_id         BIGINT NOT NULL REFERENCES licensing_rounds (id) ON DELETE CASCADE,
    candidate_id     BIGINT NOT NULL REFERENCES candidates (id),
    region           TEXT REFERENCES regions (code),
    preference_rank  INTEGER,
    score            {{float}} NOT NULL,
    exam_rank        INTEGER,
    reason           TEXT NOT NULL,
    reason_fa        TEXT NOT NULL,
    PRIMARY KEY (round_id, candidate_id)
);
CREATE INDEX licensing_allocations_region ON licensing_allocations (round_id, region);
CREATE INDEX licensing_allocations_candidate ON licensing_allocations (candidate_id);

-- The last licence number of each province and Jalali year. Issuing
-- increments it in its own transaction, which holds the row until it
-- commits: numbers are unique and, as a failed issue rolls its increment
-- back, gap-free.
CREATE TABLE licence_counters (
    province_code  TEXT NOT NULL REFERENCES regions (code),
    year           INTEGER NOT NULL,
    last_seq       INTEGER NOT NULL CHECK (last_seq >= 1),
    PRIMARY KEY (province_code, year)
);

CREATE TABLE licences (
    id                           {{id}},
    number                       TEXT NOT NULL,
    province_code                TEXT NOT NULL REFERENCES regions (code),
    year                         INTEGER NOT NULL,
    seq                          INTEGER NOT NULL CHECK (seq >= 1),
    region                       TEXT NOT NULL REFERENCES regions (code),
    round_id                     BIGINT REFERENCES licensing_rounds (id),
    candidate_id                 BIGINT REFERENCES candidates (id),
    holder_name                  TEXT NOT NULL,
    holder_national_code_masked  TEXT NOT NULL DEFAULT '',
    source                       TEXT NOT NULL CHECK (source IN ('allocation', 'single')),
    state                        TEXT NOT NULL CHECK (state IN ('issued', 'active', 'suspended', 'revoked', 'expired')),
    state_reason                 TEXT NOT NULL DEFAULT '',
    office_id                    BIGINT REFERENCES offices (id),
    valid_from                   {{ts}} NOT NULL,
    valid_until                  {{ts}} NOT NULL,
    renewals                     INTEGER NOT NULL DEFAULT 0,
    expiry_flagged_at            {{ts}},
    issued_at                    {{ts}} NOT NULL,
    issued_by                    TEXT NOT NULL DEFAULT '',
    activated_at                 {{ts}},
    version                      BIGINT NOT NULL DEFAULT 1,
    updated_at                   {{ts}} NOT NULL
);
CREATE UNIQUE INDEX licences_number ON licences (number);
CREATE UNIQUE INDEX licences_province_year_seq ON licences (province_code, year, seq);
CREATE UNIQUE INDEX licences_candidate ON licences (candidate_id);
CREATE UNIQUE INDEX licences_office ON licences (office_id);
CREATE INDEX licences_state ON licences (state, valid_until);
CREATE INDEX licences_region ON licences (region, state);
CREATE INDEX licences_round ON licences (round_id);

-- Each licence's history: issue, every lifecycle step and the expiry job's
-- flags, with the reason. The ranking reads suspensions from here.
CREATE TABLE licence_events (
    id          {{id}},
    licence_id  BIGINT NOT NULL REFERENCES licences (id) ON DELETE CASCADE,
    office_id   BIGINT REFERENCES offices (id),
    action      TEXT NOT NULL,
    from_state  TEXT NOT NULL DEFAULT '',
    to_state    TEXT NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    actor       TEXT NOT NULL DEFAULT '',
    at          {{ts}} NOT NULL
);
CREATE INDEX licence_events_licence ON licence_events (licence_id, id);
CREATE INDEX licence_events_state ON licence_events (to_state, at);

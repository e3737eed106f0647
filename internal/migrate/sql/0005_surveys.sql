-- Satisfaction surveys: versioned templates, one single-use invitation per
-- served visit, anonymous responses, stuffing flags, and the SMS outbox.
--
-- Privacy: a response keeps the office, the service, the visit's day, the
-- template version and the answers. It has no reference to its invitation
-- (whose only trace of the answer is its used flag), no visit id, and no
-- exact time: received_hour is the hour of submission. client_hash is a
-- keyed hash of the client address and the day, kept two days for the burst
-- signal and then cleared.

CREATE TABLE survey_templates (
    version       INTEGER PRIMARY KEY,
    body          TEXT NOT NULL,
    published_at  {{ts}} NOT NULL,
    published_by  TEXT NOT NULL
);

CREATE TABLE survey_invitations (
    id                 {{id}},
    token_hash         TEXT NOT NULL UNIQUE,
    visit_id           BIGINT NOT NULL UNIQUE REFERENCES visits (id),
    office_id          BIGINT NOT NULL REFERENCES offices (id),
    service_code       TEXT NOT NULL,
    visit_day          TEXT NOT NULL,
    visit_finished_at  BIGINT NOT NULL,
    template_version   INTEGER NOT NULL REFERENCES survey_templates (version),
    created_at         {{ts}} NOT NULL,
    expires_at         {{ts}} NOT NULL,
    used               BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX survey_invitations_office_day ON survey_invitations (office_id, visit_day);
CREATE INDEX survey_invitations_day ON survey_invitations (visit_day);

-- Invitations per office and visit day, kept as they are sent: response
-- rates read this instead of counting every invitation.
CREATE TABLE survey_invitation_days (
    office_id    BIGINT NOT NULL REFERENCES offices (id),
    visit_day    TEXT NOT NULL,
    invitations  BIGINT NOT NULL,
    PRIMARY KEY (office_id, visit_day)
);

CREATE TABLE survey_responses (
    id                {{id}},
    office_id         BIGINT NOT NULL REFERENCES offices (id),
    service_code      TEXT NOT NULL,
    visit_day         TEXT NOT NULL,
    template_version  INTEGER NOT NULL REFERENCES survey_templates (version),
    overall           INTEGER NOT NULL CHECK (overall BETWEEN 1 AND 5),
    courtesy          INTEGER NOT NULL CHECK (courtesy BETWEEN 1 AND 5),
    waiting           INTEGER NOT NULL CHECK (waiting BETWEEN 1 AND 5),
    fees_clear        INTEGER NOT NULL CHECK (fees_clear BETWEEN 1 AND 5),
    extra_fee         BOOLEAN NOT NULL,
    recommend         INTEGER NOT NULL CHECK (recommend BETWEEN 0 AND 10),
    comment           TEXT,
    answers           TEXT NOT NULL,
    pattern           TEXT NOT NULL,
    client_hash       TEXT,
    received_hour     BIGINT NOT NULL,
    excluded          BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX survey_responses_office_day ON survey_responses (office_id, visit_day);
CREATE INDEX survey_responses_day ON survey_responses (visit_day);
CREATE INDEX survey_responses_client ON survey_responses (client_hash, received_hour);
CREATE INDEX survey_responses_office_hour ON survey_responses (office_id, received_hour);
CREATE INDEX survey_responses_pattern ON survey_responses (pattern, received_hour);
CREATE INDEX survey_responses_hour ON survey_responses (received_hour);

CREATE TABLE survey_flags (
    id             {{id}},
    response_id    BIGINT NOT NULL REFERENCES survey_responses (id),
    office_id      BIGINT NOT NULL REFERENCES offices (id),
    reason         TEXT NOT NULL CHECK (reason IN ('too_fast', 'burst', 'identical_pattern')),
    detail         TEXT NOT NULL DEFAULT '',
    created_at     {{ts}} NOT NULL,
    overruled_at   {{ts}},
    overruled_by   TEXT,
    overrule_note  TEXT,
    UNIQUE (response_id, reason)
);
CREATE INDEX survey_flags_office ON survey_flags (office_id, created_at);

CREATE TABLE sms_outbox (
    id          {{id}},
    mobile      TEXT,
    body        TEXT,
    created_at  {{ts}} NOT NULL,
    sent_at     {{ts}},
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sms_outbox_pending ON sms_outbox (sent_at, id);

-- Visits and crowding: every citizen served at an office, and the rollups
-- that the crowding figures, the hotspots and the finder read.
--
-- Times of visits and rollups are Unix seconds (UTC) in BIGINT columns: the
-- same integer arithmetic on both engines, and the cheapest to store, index
-- and COPY. Rollup keys are the Unix second at which a Tehran day or Jalali
-- month begins (Tehran keeps +03:30 all year).
--
-- visits is not partitioned by time: the idempotency key (office_id, ticket)
-- must be unique across all time, and PostgreSQL enforces a unique
-- constraint on a partitioned table only when it includes the partition key.
-- Figures never scan raw visits (they read the rollups), so a large visits
-- table costs only disk; see docs/crowding.md for the retention path.

CREATE TABLE visits (
    id            {{id}},
    office_id     BIGINT NOT NULL REFERENCES offices (id),
    ticket        TEXT NOT NULL,
    service_code  TEXT NOT NULL,
    arrived_at    BIGINT NOT NULL,
    called_at     BIGINT,
    finished_at   BIGINT,
    outcome       TEXT NOT NULL CHECK (outcome IN ('served', 'no_show', 'cancelled', 'referred')),
    counter       INTEGER,
    channel       TEXT NOT NULL CHECK (channel IN ('walk_in', 'appointment')),
    -- The citizen's mobile, kept only until the survey invitation is sent.
    mobile        TEXT,
    recorded_at   BIGINT NOT NULL
);
-- The idempotency key. A named index rather than an inline UNIQUE, so a
-- bulk load into an empty table (the demo) can build it after the rows.
CREATE UNIQUE INDEX visits_office_ticket ON visits (office_id, ticket);
CREATE INDEX visits_office_arrived ON visits (office_id, arrived_at);

-- One row per office and Tehran day that had visits: the day's totals, its
-- wait and service-time sketches (geo.Sketch) and, in hours, the same
-- figures for each hour of the day (geo.encodeHours).
CREATE TABLE crowding_days (
    office_id       BIGINT NOT NULL REFERENCES offices (id),
    day_at          BIGINT NOT NULL,
    weekday         INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    arrivals        INTEGER NOT NULL,
    served          INTEGER NOT NULL,
    no_shows        INTEGER NOT NULL,
    cancelled       INTEGER NOT NULL,
    referred        INTEGER NOT NULL,
    waits           INTEGER NOT NULL,
    wait_sum        BIGINT NOT NULL,
    wait_max        BIGINT NOT NULL,
    services        INTEGER NOT NULL,
    service_sum     BIGINT NOT NULL,
    service_max     BIGINT NOT NULL,
    busy_s          BIGINT NOT NULL,
    open_s          BIGINT NOT NULL,
    counter_s       BIGINT NOT NULL,
    queue_area      BIGINT NOT NULL,
    queue_max       INTEGER NOT NULL,
    wait_sketch     {{bytes}} NOT NULL,
    service_sketch  {{bytes}} NOT NULL,
    hours           {{bytes}} NOT NULL,
    PRIMARY KEY (office_id, day_at)
);
CREATE INDEX crowding_days_day ON crowding_days (day_at);

-- The same per office and Jalali month, merged from its days: long ranges
-- and the regions read whole months from here.
CREATE TABLE crowding_months (
    office_id       BIGINT NOT NULL REFERENCES offices (id),
    month_at        BIGINT NOT NULL,
    arrivals        INTEGER NOT NULL,
    served          INTEGER NOT NULL,
    no_shows        INTEGER NOT NULL,
    cancelled       INTEGER NOT NULL,
    referred        INTEGER NOT NULL,
    waits           INTEGER NOT NULL,
    wait_sum        BIGINT NOT NULL,
    wait_max        BIGINT NOT NULL,
    services        INTEGER NOT NULL,
    service_sum     BIGINT NOT NULL,
    service_max     BIGINT NOT NULL,
    busy_s          BIGINT NOT NULL,
    open_s          BIGINT NOT NULL,
    counter_s       BIGINT NOT NULL,
    queue_area      BIGINT NOT NULL,
    queue_max       INTEGER NOT NULL,
    wait_sketch     {{bytes}} NOT NULL,
    service_sketch  {{bytes}} NOT NULL,
    hours           {{bytes}} NOT NULL,
    PRIMARY KEY (office_id, month_at)
);
CREATE INDEX crowding_months_month ON crowding_months (month_at);

-- The sketches are already compact varint streams: PostgreSQL's pglz
-- gains little on them and decompressing a year of months costs more than
-- reading them, so they are never compressed, and a row stays inline (one
-- read instead of a walk through the TOAST table) up to a whole page.
-- +postgres
ALTER TABLE crowding_days SET (toast_tuple_target = 8160);
ALTER TABLE crowding_months SET (toast_tuple_target = 8160);
ALTER TABLE crowding_days ALTER COLUMN hours SET STORAGE EXTERNAL;
ALTER TABLE crowding_days ALTER COLUMN wait_sketch SET STORAGE EXTERNAL;
ALTER TABLE crowding_days ALTER COLUMN service_sketch SET STORAGE EXTERNAL;
ALTER TABLE crowding_months ALTER COLUMN hours SET STORAGE EXTERNAL;
ALTER TABLE crowding_months ALTER COLUMN wait_sketch SET STORAGE EXTERNAL;
ALTER TABLE crowding_months ALTER COLUMN service_sketch SET STORAGE EXTERNAL;
-- +end

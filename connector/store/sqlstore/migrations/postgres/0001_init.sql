-- The state of the flows: checkpoints, outcomes and the ledger, exceptions,
-- leases, webhook deliveries and the crosswalk. Times are Unix nanoseconds in
-- UTC (NULL for the zero time); raw JSON is kept byte for byte as BYTEA.

CREATE TABLE {t}checkpoints (
	flow       TEXT PRIMARY KEY,
	cursor_pos TEXT NOT NULL
);

CREATE TABLE {t}outcomes (
	seq            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	flow           TEXT NOT NULL,
	rec_key        TEXT NOT NULL,
	version        TEXT NOT NULL,
	result         TEXT NOT NULL,
	reason         TEXT NOT NULL,
	detail         TEXT NOT NULL,
	idem_key       TEXT NOT NULL,
	target_sys     TEXT NOT NULL,
	target_type    TEXT NOT NULL,
	target_id      TEXT NOT NULL,
	target_version TEXT NOT NULL,
	exception      TEXT NOT NULL,
	at             BIGINT
);
CREATE INDEX {p}outcomes_flow ON {t}outcomes (flow, seq);
CREATE INDEX {p}outcomes_key ON {t}outcomes (flow, rec_key, seq);
-- One outcome per change: Record upserts on this.
CREATE UNIQUE INDEX {p}outcomes_change ON {t}outcomes (flow, rec_key, version);

CREATE TABLE {t}ledger (
	flow           TEXT NOT NULL,
	rec_key        TEXT NOT NULL,
	version        TEXT NOT NULL,
	idem_key       TEXT NOT NULL,
	entity         BYTEA,
	target_sys     TEXT NOT NULL,
	target_type    TEXT NOT NULL,
	target_id      TEXT NOT NULL,
	target_version TEXT NOT NULL,
	at             BIGINT,
	PRIMARY KEY (flow, rec_key)
);

CREATE TABLE {t}exceptions (
	seq        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	flow       TEXT NOT NULL,
	rec_key    TEXT NOT NULL,
	sys        TEXT NOT NULL,
	op         SMALLINT NOT NULL,
	version    TEXT NOT NULL,
	cursor_pos TEXT NOT NULL,
	kind       TEXT NOT NULL,
	message    TEXT NOT NULL,
	fields     TEXT,
	payload    BYTEA,
	source     BYTEA,
	mapped     BYTEA,
	blocked_by TEXT NOT NULL,
	attempts   INTEGER NOT NULL,
	first_seen BIGINT,
	last_seen  BIGINT,
	status     TEXT NOT NULL,
	resolution TEXT NOT NULL
);
CREATE INDEX {p}exceptions_flow ON {t}exceptions (flow, seq);
CREATE INDEX {p}exceptions_key ON {t}exceptions (flow, rec_key, seq);

CREATE TABLE {t}leases (
	name    TEXT PRIMARY KEY,
	owner   TEXT NOT NULL,
	expires BIGINT NOT NULL
);

CREATE TABLE {t}deliveries (
	sys  TEXT NOT NULL,
	id   TEXT NOT NULL,
	seen BIGINT NOT NULL,
	PRIMARY KEY (sys, id)
);
CREATE INDEX {p}deliveries_seen ON {t}deliveries (sys, seen);

CREATE TABLE {t}xref (
	entity      TEXT NOT NULL,
	sys         TEXT NOT NULL,
	typ         TEXT NOT NULL,
	ext_id      TEXT NOT NULL,
	ref_version TEXT NOT NULL,
	id          TEXT NOT NULL,
	PRIMARY KEY (entity, sys, typ, ext_id)
);
CREATE INDEX {p}xref_id ON {t}xref (entity, id);

CREATE TABLE {t}xref_alias (
	entity TEXT NOT NULL,
	alias  TEXT NOT NULL,
	target TEXT NOT NULL,
	PRIMARY KEY (entity, alias)
);
CREATE INDEX {p}xref_alias_target ON {t}xref_alias (entity, target);

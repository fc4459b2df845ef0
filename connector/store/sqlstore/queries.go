package sqlstore

import (
	"strconv"
	"strings"
)

// Rows per multi-row INSERT: 500 outcomes is 7,000 parameters, well under the
// limits of PostgreSQL (65,535) and SQLite (32,766).
const chunkRows = 500

const (
	outcomeCols   = `flow, rec_key, version, result, reason, detail, idem_key, target_sys, target_type, target_id, target_version, exception, at`
	outcomeNCols  = 13
	ledgerCols    = `flow, rec_key, version, idem_key, entity, target_sys, target_type, target_id, target_version, at`
	ledgerNCols   = 10
	exceptionCols = `seq, flow, rec_key, sys, op, version, cursor_pos, kind, message, fields, payload, source, mapped, blocked_by, attempts, first_seen, last_seen, status, resolution`
)

// queries holds the statements of one store, built once by Open with the
// table names and the dialect's placeholders.
type queries struct {
	d     Dialect
	table string // qualified table prefix

	sqliteWriteLock string
	migrations      string

	checkpoint     string
	saveCheckpoint string

	insertOutcomes string // for chunkRows rows, one per change
	upsertLedger   string // for chunkRows rows
	lastApplied    string

	insertException string
	updateException string
	exception       string
	openException   string
	closeException  string

	acquireLease string
	releaseLease string

	seeDelivery     string
	pruneDeliveries string

	lookup    string
	refs      string
	link      string
	resolve   string
	addAlias  string
	moveAlias string
}

func buildQueries(d Dialect, t string) queries {
	q := queries{d: d, table: t}
	b := func(s string) string { return bind(d, s) }
	q.sqliteWriteLock = `UPDATE ` + t + `migrations SET version = version WHERE 1 = 0`
	q.migrations = `SELECT version FROM ` + t + `migrations ORDER BY version`

	q.checkpoint = b(`SELECT cursor_pos FROM ` + t + `checkpoints WHERE flow = $1`)
	q.saveCheckpoint = b(`INSERT INTO ` + t + `checkpoints (flow, cursor_pos) VALUES ($1, $2)
		ON CONFLICT (flow) DO UPDATE SET cursor_pos = excluded.cursor_pos`)

	q.insertOutcomes = q.insertOutcomesN(chunkRows)
	q.upsertLedger = q.upsertLedgerN(chunkRows)
	q.lastApplied = b(`SELECT ` + ledgerCols + ` FROM ` + t + `ledger WHERE flow = $1 AND rec_key = $2`)

	q.insertException = b(`INSERT INTO ` + t + `exceptions
		(flow, rec_key, sys, op, version, cursor_pos, kind, message, fields, payload, source, mapped, blocked_by, attempts, first_seen, last_seen, status, resolution)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING seq`)
	q.updateException = b(`UPDATE ` + t + `exceptions
		SET attempts = $1, last_seen = $2, kind = $3, message = $4, fields = $5, mapped = $6 WHERE seq = $7`)
	q.exception = b(`SELECT ` + exceptionCols + ` FROM ` + t + `exceptions WHERE seq = $1`)
	q.openException = b(`SELECT ` + exceptionCols + ` FROM ` + t + `exceptions
		WHERE flow = $1 AND rec_key = $2 AND status = 'open' ORDER BY seq LIMIT 1`)
	q.closeException = b(`UPDATE ` + t + `exceptions SET status = $1, resolution = $2 WHERE seq = $3`)

	// One statement takes a free or expired lease or renews one's own; it
	// changes no row while another owner holds the lease.
	q.acquireLease = b(`INSERT INTO ` + t + `leases AS l (name, owner, expires) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires = excluded.expires
		WHERE l.owner = excluded.owner OR l.expires < $4`)
	q.releaseLease = b(`DELETE FROM ` + t + `leases WHERE name = $1 AND owner = $2`)

	// One statement records a new delivery or renews an expired record; it
	// changes no row for a delivery seen within the ttl.
	q.seeDelivery = b(`INSERT INTO ` + t + `deliveries AS d (sys, id, seen) VALUES ($1, $2, $3)
		ON CONFLICT (sys, id) DO UPDATE SET seen = excluded.seen WHERE d.seen <= $4`)
	q.pruneDeliveries = b(`DELETE FROM ` + t + `deliveries WHERE sys = $1 AND seen <= $2`)

	q.lookup = b(`SELECT COALESCE(a.target, x.id) FROM ` + t + `xref x
		LEFT JOIN ` + t + `xref_alias a ON a.entity = x.entity AND a.alias = x.id
		WHERE x.entity = $1 AND x.sys = $2 AND x.typ = $3 AND x.ext_id = $4`)
	// The refs linked to the survivor of $2 and to every ID merged into it.
	q.refs = b(`WITH w AS (
			SELECT COALESCE((SELECT target FROM ` + t + `xref_alias WHERE entity = $1 AND alias = $2), $2) AS id
		)
		SELECT x.sys, x.typ, x.ext_id, x.ref_version FROM ` + t + `xref x
		WHERE x.entity = $1 AND (x.id IN (SELECT id FROM w)
			OR x.id IN (SELECT a.alias FROM ` + t + `xref_alias a, w WHERE a.entity = $1 AND a.target = w.id))`)
	q.link = b(`INSERT INTO ` + t + `xref (entity, sys, typ, ext_id, ref_version, id) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (entity, sys, typ, ext_id) DO UPDATE SET id = excluded.id, ref_version = excluded.ref_version`)
	q.resolve = b(`SELECT target FROM ` + t + `xref_alias WHERE entity = $1 AND alias = $2`)
	q.addAlias = b(`INSERT INTO ` + t + `xref_alias (entity, alias, target) VALUES ($1, $2, $3)
		ON CONFLICT (entity, alias) DO UPDATE SET target = excluded.target`)
	q.moveAlias = b(`UPDATE ` + t + `xref_alias SET target = $1 WHERE entity = $2 AND target = $3`)
	return q
}

// values writes a multi-row VALUES list of rows tuples of cols placeholders.
func (q *queries) values(sb *strings.Builder, rows, cols int) {
	n := 1
	for r := range rows {
		if r > 0 {
			sb.WriteString(", ")
		}
		sb.WriteByte('(')
		for c := range cols {
			if c > 0 {
				sb.WriteString(", ")
			}
			if q.d == Postgres {
				sb.WriteByte('$')
				sb.WriteString(strconv.Itoa(n))
			} else {
				sb.WriteByte('?') // SQLite binds plain ? much faster than ?n
			}
			n++
		}
		sb.WriteByte(')')
	}
}

// insertOutcomesN inserts rows outcomes. An outcome for a change already
// stored replaces it, in place, only if the stored one is parked; otherwise it
// changes nothing.
func (q *queries) insertOutcomesN(rows int) string {
	var sb strings.Builder
	sb.WriteString(`INSERT INTO ` + q.table + `outcomes AS o (` + outcomeCols + `) VALUES `)
	q.values(&sb, rows, outcomeNCols)
	sb.WriteString(` ON CONFLICT (flow, rec_key, version) DO UPDATE SET result = excluded.result,
		reason = excluded.reason, detail = excluded.detail, idem_key = excluded.idem_key,
		target_sys = excluded.target_sys, target_type = excluded.target_type,
		target_id = excluded.target_id, target_version = excluded.target_version,
		exception = excluded.exception, at = excluded.at
		WHERE o.result = 'parked'`)
	return sb.String()
}

func (q *queries) upsertLedgerN(rows int) string {
	var sb strings.Builder
	sb.WriteString(`INSERT INTO ` + q.table + `ledger (` + ledgerCols + `) VALUES `)
	q.values(&sb, rows, ledgerNCols)
	sb.WriteString(` ON CONFLICT (flow, rec_key) DO UPDATE SET version = excluded.version,
		idem_key = excluded.idem_key, entity = excluded.entity, target_sys = excluded.target_sys,
		target_type = excluded.target_type, target_id = excluded.target_id,
		target_version = excluded.target_version, at = excluded.at`)
	return sb.String()
}

// filter builds a keyset page query: cols from table, rows after seq $1
// matching the equality conditions whose values are not empty.
type filter struct {
	q     *queries
	where []string
	args  []any
}

func (q *queries) filter(after int64) *filter {
	return &filter{q: q, where: []string{"seq > $1"}, args: []any{after}}
}

func (f *filter) eq(col string, v string) *filter {
	if v != "" {
		f.args = append(f.args, v)
		f.where = append(f.where, col+" = $"+strconv.Itoa(len(f.args)))
	}
	return f
}

func (f *filter) query(cols, table string, limit int) string {
	return bind(f.q.d, `SELECT `+cols+` FROM `+f.q.table+table+` WHERE `+strings.Join(f.where, " AND ")+
		` ORDER BY seq LIMIT `+strconv.Itoa(limit))
}

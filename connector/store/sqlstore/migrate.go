package sqlstore

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The migrations, one directory per dialect. A file is named
// NNNN_what.sql; NNNN is its version. In the SQL, {t} stands for the table
// prefix as a qualified name (schema.prefix_) and {p} for the bare prefix,
// for index names. Statements end with a semicolon at the end of a line.
//
//go:embed migrations
var migrationFiles embed.FS

type migration struct {
	version int
	name    string
	stmts   []string
}

// migrations returns the dialect's migrations in version order, with the
// table names filled in.
func migrations(d Dialect, table, prefix string) ([]migration, error) {
	dir := path.Join("migrations", d.String())
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, err
	}
	fill := strings.NewReplacer("{t}", table, "{p}", prefix)
	var ms []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("sqlstore: badly named migration %s", e.Name())
		}
		text, err := fs.ReadFile(migrationFiles, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: e.Name(), stmts: statements(fill.Replace(string(text)))})
	}
	slices.SortFunc(ms, func(a, b migration) int { return a.version - b.version })
	return ms, nil
}

// statements splits SQL text into statements, dropping comment lines.
func statements(text string) []string {
	var out []string
	var cur strings.Builder
	for line := range strings.Lines(text) {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "--") {
			continue
		}
		cur.WriteString(line)
		if strings.HasSuffix(trimmed, ";") {
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		}
	}
	if rest := strings.TrimSpace(cur.String()); rest != "" {
		out = append(out, rest)
	}
	return out
}

// migrate applies the migrations the database lacks, in one transaction that
// holds the store's migration lock, so concurrent Opens apply each once.
func (s *Store) migrate(ctx context.Context, schema, prefix, table string) error {
	ms, err := migrations(s.dialect, table, prefix)
	if err != nil {
		return wrap("migrations", err)
	}
	createTable := `CREATE TABLE IF NOT EXISTS ` + table + `migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	applied_at BIGINT NOT NULL
)`
	if s.dialect == SQLite {
		// The write lock below needs the table. Creating it outside the
		// transaction is safe: IF NOT EXISTS makes a second attempt a no-op.
		if _, err := s.db.ExecContext(ctx, createTable); err != nil {
			return wrap("create migrations table", err)
		}
	}
	tx, err := s.beginLocked(ctx, "migrate")
	if err != nil {
		return wrap("migrate", err)
	}
	defer func() { _ = tx.Rollback() }()
	if s.dialect == Postgres {
		if schema != "" {
			var exists bool
			err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)`, schema).Scan(&exists)
			if err == nil && !exists {
				_, err = tx.ExecContext(ctx, `CREATE SCHEMA `+schema)
			}
			if err != nil {
				return wrap("create schema "+schema, err)
			}
		}
		if _, err := tx.ExecContext(ctx, createTable); err != nil {
			return wrap("create migrations table", err)
		}
	}
	applied := map[int]bool{}
	rows, err := tx.QueryContext(ctx, `SELECT version FROM `+table+`migrations`)
	if err != nil {
		return wrap("read migrations", err)
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			_ = rows.Close()
			return wrap("read migrations", err)
		}
		applied[v] = true
	}
	if err := rows.Close(); err != nil {
		return wrap("read migrations", err)
	}
	if err := rows.Err(); err != nil {
		return wrap("read migrations", err)
	}
	record := bind(s.dialect, `INSERT INTO `+table+`migrations (version, name, applied_at) VALUES ($1, $2, $3)`)
	for _, m := range ms {
		if applied[m.version] {
			continue
		}
		for _, stmt := range m.stmts {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return wrap("migration "+m.name, err)
			}
		}
		if _, err := tx.ExecContext(ctx, record, m.version, m.name, time.Now().UnixNano()); err != nil {
			return wrap("migration "+m.name, err)
		}
	}
	return wrap("migrate", tx.Commit())
}

// Migrations reports the migration versions applied to the store's tables, in
// order.
func (s *Store) Migrations(ctx context.Context) ([]int, error) {
	rows, err := s.db.QueryContext(ctx, s.q.migrations)
	if err != nil {
		return nil, wrap("migrations", err)
	}
	defer rows.Close()
	var vs []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, wrap("migrations", err)
		}
		vs = append(vs, v)
	}
	return vs, wrap("migrations", rows.Err())
}

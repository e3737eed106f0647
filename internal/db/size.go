package db

import "context"

// Size is the database's size on disk in bytes (PostgreSQL; on SQLite the
// file's pages), for what a bulk load reports.
func (d *DB) Size(ctx context.Context) (int64, error) {
	q := "SELECT pg_database_size(current_database())"
	if d.Dialect == SQLite {
		q = "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
	}
	var n int64
	err := d.SQL.QueryRowContext(ctx, q).Scan(&n)
	return n, err
}

// Analyze refreshes the planner's statistics of every table, after a bulk
// load has changed them wholesale (autovacuum would get there, later).
func (d *DB) Analyze(ctx context.Context) error {
	_, err := d.SQL.ExecContext(ctx, "ANALYZE")
	return err
}

package migrate_test

import (
	"context"
	"testing"

	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/daftar-ir/daftar/internal/migrate"
)

// TestScaleMigrationKeepsVisits: 0010 over a database holding visits keeps
// every visit with its id, fills visit_keys, keeps a repeated ticket out,
// and new visits take ids after the old ones; on PostgreSQL visits is then
// partitioned, with the old rows in its default partition.
func TestScaleMigrationKeepsVisits(t *testing.T) {
	for _, e := range dbtest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			d := dbtest.OpenEmpty(t, e)
			if _, err := migrate.UpToForTest(ctx, d, nil, 9); err != nil {
				t.Fatal(err)
			}
			exec := func(q string, args ...any) {
				t.Helper()
				if _, err := d.Exec(ctx, q, args...); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			exec(`INSERT INTO regions (code, level, name_fa, name_en, population, census_year, latitude, longitude) VALUES ('THR', 'province', 'تهران', 'Tehran', 1, 1395, 35.7, 51.4)`)
			exec(`INSERT INTO offices (code, name_fa, province_code, city_code, latitude, longitude, counters, status, created_at, updated_at)
				VALUES ('THR-0001', 'دفتر', 'THR', 'THR', 35.7, 51.4, 2, 'active', ?, ?)`, "2026-01-01 00:00:00", "2026-01-01 00:00:00")
			for i, ticket := range []string{"a", "b", "c"} {
				exec(`INSERT INTO visits (id, office_id, ticket, service_code, arrived_at, outcome, channel, recorded_at)
					VALUES (?, 1, ?, 'criminal_record', ?, 'no_show', 'walk_in', ?)`, int64(10+i), ticket, int64(1_780_000_000+i), int64(1_780_000_000+i))
			}
			if _, err := migrate.Up(ctx, d, nil); err != nil {
				t.Fatal(err)
			}
			count := func(q string) int64 {
				t.Helper()
				var n int64
				if err := d.Query(ctx, q, nil, func(scan func(...any) error) error { return scan(&n) }); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
				return n
			}
			if n := count("SELECT COUNT(*) FROM visits WHERE id IN (10, 11, 12)"); n != 3 {
				t.Fatalf("%d of the 3 visits kept", n)
			}
			if n := count("SELECT COUNT(*) FROM visit_keys WHERE office_id = 1 AND ticket IN ('a', 'b', 'c')"); n != 3 {
				t.Fatalf("%d keys", n)
			}
			if _, err := d.Exec(ctx, "INSERT INTO visit_keys (office_id, ticket, arrived_at) VALUES (1, 'a', 1)"); !db.IsUniqueViolation(err) {
				t.Fatalf("a repeated ticket: %v", err)
			}
			exec(`INSERT INTO visits (office_id, ticket, service_code, arrived_at, outcome, channel, recorded_at)
				VALUES (1, 'd', 'criminal_record', 1780000100, 'no_show', 'walk_in', 1780000100)`)
			if n := count("SELECT id FROM visits WHERE ticket = 'd'"); n <= 12 {
				t.Fatalf("a new visit took id %d, not after the old ones", n)
			}
			if e == db.Postgres {
				if n := count("SELECT COUNT(*) FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid WHERE c.relname = 'visits'"); n != 1 {
					t.Fatal("visits is not partitioned")
				}
				if n := count("SELECT COUNT(*) FROM visits_default"); n != 4 {
					t.Fatalf("%d rows in the default partition", n)
				}
			}
		})
	}
}

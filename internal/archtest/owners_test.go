package archtest

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/daftar-ir/daftar/internal/owners"
)

var createTable = regexp.MustCompile(`(?i)\bCREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?"?([a-z_][a-z0-9_]*)`)

// migratedTables are the tables the migrations create.
func migratedTables(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(moduleRoot(t), "internal", "migrate", "sql", "*.sql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no migrations found: %v", err)
	}
	var out []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range createTable.FindAllStringSubmatch(string(b), -1) {
			out = append(out, m[1])
		}
	}
	return out
}

// TestEveryTableHasOneOwner: each migrated table has an owner, each owner
// is a package of the module, and the map names no table that does not
// exist.
func TestEveryTableHasOneOwner(t *testing.T) {
	own := owners.Tables()
	migrated := migratedTables(t)
	if len(migrated) < 30 {
		t.Fatalf("only %d tables found in the migrations", len(migrated))
	}
	for _, tbl := range migrated {
		if _, ok := own[tbl]; !ok {
			t.Errorf("table %s has no owner in internal/owners", tbl)
		}
	}
	for tbl, pkg := range own {
		if !slices.Contains(migrated, tbl) && tbl != "schema_migrations" {
			t.Errorf("internal/owners names %s, which no migration creates", tbl)
		}
		if fi, err := os.Stat(filepath.Join(moduleRoot(t), filepath.FromSlash(pkg))); err != nil || !fi.IsDir() {
			t.Errorf("table %s: owner %q is not a package of the module", tbl, pkg)
		}
	}
}

// TestSQLOnlyInItsOwner: no package but a table's owner has SQL on it.
func TestSQLOnlyInItsOwner(t *testing.T) {
	srcs := moduleSources(t)
	for _, v := range violations(srcs, owners.Tables()) {
		t.Error(v)
	}
	// The detector sees the owners' own SQL, so it is not blind.
	uses := 0
	models := tableNames(srcs)
	for _, s := range srcs {
		uses += len(tableUses(s, owners.Tables(), models))
	}
	if uses < 100 {
		t.Fatalf("only %d uses of tables found in the module: the detector is broken", uses)
	}
}

// TestOwnershipDetector: each way of reaching a table from outside its
// owner is reported, naming file, table and owner; what only looks like
// SQL is not.
func TestOwnershipDetector(t *testing.T) {
	own := map[string]string{"offices": "geo/offices", "visits": "geo/visits", "crowding_days": "geo/visits", "users": "internal/accounts"}
	register := parseSource(t, "geo/offices", "geo/offices/store.go", `package offices
type row struct{ ID int64 `+"`gorm:\"column:id\"`"+` }
func (row) TableName() string { return "offices" }
// Row is exported, so others could reach the table through gorm.
type Row struct{ ID int64 }
func (Row) TableName() string { return "offices" }
func mine(tx *gorm.DB) { tx.Raw("SELECT id FROM offices") }
`)
	for _, c := range []struct {
		name, src string
		want      []string // tables reported, in order
	}{
		{"raw select", `tx.Raw("SELECT id, code FROM offices WHERE status = ?", s)`, []string{"offices"}},
		{"join", `q.Joins("JOIN offices o ON o.id = r.office_id")`, []string{"offices"}},
		{"insert", `tx.Exec("INSERT INTO visits (office_id) VALUES (?)", 1)`, []string{"visits"}},
		{"update", "tx.Exec(`UPDATE offices SET status = ?`, s)", []string{"offices"}},
		{"delete", `tx.Exec("DELETE FROM crowding_days WHERE office_id = ?", 1)`, []string{"crowding_days"}},
		{"index", `tx.Exec("CREATE INDEX v ON visits (office_id)")`, []string{"visits"}},
		{"truncate", `d.Exec("TRUNCATE visits CASCADE")`, []string{"visits"}},
		{"concatenated", `q := "SELECT " + cols + " FROM crowding_days WHERE " + w`, []string{"crowding_days"}},
		{"gorm table", `tx.Table("users").Count(&n)`, []string{"users"}},
		{"gorm table alias", `tx.Table("offices o").Count(&n)`, []string{"offices"}},
		{"bulk insert", `ins("visits", []string{"office_id"}, rows)`, []string{"visits"}},
		{"copy rows", `tx.CopyRows(ctx, "crowding_days", rollupColumns("day_at"), rows)`, []string{"crowding_days"}},
		{"copy identifier", `conn.CopyFrom(ctx, pgx.Identifier{"visits"}, cols, src)`, []string{"visits"}},
		{"bulk without indexes", `d.BulkWithoutIndexes(ctx, []string{"visits"}, fn)`, []string{"visits"}},
		{"gorm model", `tx.Model(&offices.Row{}).Where("id = ?", 1)`, []string{"offices"}},
		{"gorm find", `tx.Find(&[]offices.Row{})`, []string{"offices"}},
		{"message only", `fmt.Errorf("insert offices: %w", err)`, nil},
		{"prose", `msg := "far from offices, into visits"`, nil},
		{"alias not a table", `tx.Raw("SELECT 1 FROM x JOIN y ON visits_id = 1")`, nil},
		{"other table", `tx.Raw("SELECT id FROM ranking_runs")`, nil},
		{"entity name", `audit.Change{Entity: "visits"}`, nil},
		{"field error", `fe.Add("offices", "required", "is required")`, nil},
	} {
		src := "package ranking\nimport \"github.com/daftar-ir/daftar/geo/offices\"\nfunc f() {\n" + c.src + "\n}\n"
		s := parseSource(t, "ranking", "ranking/x.go", src)
		got := violations([]source{register, s}, own)
		if len(got) != len(c.want) {
			t.Errorf("%s: %d violations %q, want %v", c.name, len(got), got, c.want)
			continue
		}
		for i, tbl := range c.want {
			if !strings.Contains(got[i], "ranking/x.go") || !strings.Contains(got[i], "table "+tbl+" belongs to "+own[tbl]) {
				t.Errorf("%s: %q does not name the file, %s and its owner", c.name, got[i], tbl)
			}
		}
	}
	// The owner's own SQL and rows are no violation; a TableName outside
	// the owner is.
	if got := violations([]source{register}, own); len(got) != 0 {
		t.Errorf("the owner's own SQL: %q", got)
	}
	stray := parseSource(t, "api", "api/x.go", "package api\ntype r struct{}\nfunc (r) TableName() string { return \"users\" }\n")
	if got := violations([]source{stray}, own); len(got) != 1 || !strings.Contains(got[0], "table users belongs to internal/accounts, not api") {
		t.Errorf("TableName outside the owner: %q", got)
	}
}

package ranking

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"gorm.io/gorm"
)

// The result rows read back exactly as written (NULLs, zeros, floats and
// the components' bytes), whichever insert path an engine takes (123 rows:
// the prepared statement and the rest on SQLite), so their checksum is the
// same before and after.
func TestResultRowsRoundTrip(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		ctx := daftar.WithActor(context.Background(), daftar.SystemActor("test"))
		if err := geo.LoadReference(ctx, d); err != nil {
			t.Fatal(err)
		}
		gaz, _ := geo.LoadGazetteer(ctx, d)
		cat, _ := geo.LoadCatalogue(ctx, d)
		clock := daftar.NewManualClock(time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC))
		al := audit.New(d, clock)
		reg, err := offices.New(d, clock, al, gaz, cat, offices.NewChanges(), offices.Config{MinDistanceM: -1}) // test offices stand close: no distance rule
		if err != nil {
			t.Fatal(err)
		}
		city := gaz.Level(geo.LevelCity)[0]
		prov, _ := gaz.Province(city.Code)
		var list []offices.Office
		for i := 0; i < 123; i++ {
			list = append(list, offices.Office{Code: fmt.Sprintf("R-%04d", i), NameFa: "دفتر", ProvinceCode: prov.Code, CityCode: city.Code,
				Latitude: city.Latitude, Longitude: city.Longitude, Counters: 1 + i%5, Hours: geo.DefaultOpeningHours(), Status: offices.Active, Version: 1})
		}
		if err := d.InTx(ctx, func(tx *db.Tx) error { return reg.InsertBatch(ctx, tx, list) }); err != nil {
			t.Fatal(err)
		}
		var in []Input
		for i, o := range list {
			x := Input{OfficeID: o.ID, Code: o.Code, Province: prov.Code, City: city.Code, Counters: o.Counters, Responses: int64(5 + i%40),
				OverallSum: int64(20 + i%150), Served: int64(i * 7), CounterHours: float64(i%9) * 10.5, Minor: i % 3}
			if i%4 != 0 {
				p90, share := float64(i)/3, float64(i%10)/10
				x.WaitP90Min, x.OverTargetShare = &p90, &share
			}
			in = append(in, x)
		}
		results := DirectiveV2().Compute(in)
		for i := range results { // changes of every kind: none, zero, negative
			if i%3 == 1 && results[i].Score != nil {
				dz, up := float64(i%5)-2.25, i%3-1
				results[i].ScoreChange, results[i].RankChange = &dz, &up
			}
		}
		rows := storedRows(results)
		svc := &Service{db: d}
		if err := d.Gorm.Exec("INSERT INTO ranking_directives (version, effective_from, body, created_at, created_by) VALUES (1, '2026-01-01', '{}', ?, 't')", clock.Now()).Error; err != nil {
			t.Fatal(err)
		}
		var id int64
		if err := d.Gorm.Raw(`INSERT INTO ranking_runs (period, period_kind, period_start, directive_version, state, inputs_checksum, results_checksum,
			inputs, offices, ranked, version, created_at, created_by) VALUES ('1405-01', 'month', ?, 1, 'draft', '', '', '', 0, 0, 1, ?, 't') RETURNING id`,
			clock.Now(), clock.Now()).Scan(&id).Error; err != nil {
			t.Fatal(err)
		}
		if err := d.Tx(ctx, func(tx *gorm.DB) error { return insertResults(ctx, tx, id, rows) }); err != nil {
			t.Fatal(err)
		}
		back, err := svc.storedResults(ctx, id)
		if err != nil || len(back) != len(rows) {
			t.Fatalf("%d rows back: %v", len(back), err)
		}
		if a, b := rowsChecksum(rows), rowsChecksum(back); a != b {
			t.Fatalf("checksum %s written, %s read back; first differing: %v", a, b, mismatched(rows, back, false))
		}
	})
}

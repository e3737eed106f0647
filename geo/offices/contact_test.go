package offices_test

import (
	"fmt"
	"testing"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
)

// TestUpdateContact: an owner's change of phone and hours is checked like
// any other, refused when stale, audited as office.contact, and
// a change that changes nothing leaves the version alone.
func TestUpdateContact(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		reg := newRegister(t, d)
		ctx := daftar.WithActor(t.Context(), daftar.SystemActor("test"))
		code, name, city, lat, lon, counters := "THR-0701", "دفتر آزمون", "tehran", 35.70, 51.40, 2
		off, err := reg.Create(ctx, offices.Input{Code: &code, NameFa: &name, City: &city, Latitude: &lat, Longitude: &lon, Counters: &counters})
		if err != nil {
			t.Fatal(err)
		}
		audits := func() int64 {
			var n int64
			d.Gorm.Raw("SELECT COUNT(*) FROM audit_events WHERE action = 'office.contact' AND entity_id = ?", itoa(off.ID)).Scan(&n)
			return n
		}
		phone := "۰۲۱-۸۸۷۷۶۶۵۵"
		hours := map[string][]string{"sat": {"۰۸:۰۰-۱۴:۰۰"}, "sun": {"08:00-14:00", "16:00-18:00"}}
		got, err := reg.UpdateContact(ctx, off.ID, offices.Contact{Phone: &phone, OpeningHours: hours}, off.Version)
		if err != nil {
			t.Fatal(err)
		}
		if got.Phone != "021-88776655" || got.Version != off.Version+1 || len(got.Hours[0]) != 1 || len(got.Hours[1]) != 2 || len(got.Hours[2]) != 0 {
			t.Fatalf("after the change: phone %q version %d hours %v", got.Phone, got.Version, got.Hours)
		}
		if got.NameFa != name || got.Counters != counters || got.Status != offices.Active {
			t.Fatalf("other fields changed: %+v", got)
		}
		if n := audits(); n != 1 {
			t.Fatalf("%d audit events", n)
		}
		// Stale: the version read before the change.
		if _, err := reg.UpdateContact(ctx, off.ID, offices.Contact{Phone: &phone}, off.Version); !daftar.IsKind(err, daftar.KindConflict) {
			t.Fatalf("stale change: %v", err)
		}
		// The same values again: nothing happens.
		same, err := reg.UpdateContact(ctx, off.ID, offices.Contact{Phone: ptrTo("021-88776655"), OpeningHours: hours}, got.Version)
		if err != nil || same.Version != got.Version || audits() != 1 {
			t.Fatalf("no-op change: version %d, %d audits, %v", same.Version, audits(), err)
		}
		// Bad values name their field and change nothing.
		for _, c := range []offices.Contact{{Phone: ptrTo("call me")}, {OpeningHours: map[string][]string{"sat": {"14:00-08:00"}}},
			{OpeningHours: map[string][]string{"someday": {"08:00-09:00"}}}} {
			_, err := reg.UpdateContact(ctx, off.ID, c, 0)
			de, ok := daftar.AsError(err)
			if !ok || de.Kind != daftar.KindUnprocessable || len(de.Fields) == 0 {
				t.Errorf("%+v: %v", c, err)
			}
		}
		if _, err := reg.UpdateContact(ctx, off.ID+100, offices.Contact{Phone: &phone}, 0); !daftar.IsKind(err, daftar.KindNotFound) {
			t.Fatalf("unknown office: %v", err)
		}
		if now, _ := reg.Get(ctx, off.ID); now.Version != got.Version || now.Phone != got.Phone {
			t.Fatalf("after refused changes: %+v", now)
		}
	})
}

func ptrTo[T any](v T) *T { return &v }

func itoa(n int64) string { return fmt.Sprint(n) }

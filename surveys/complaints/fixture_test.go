package complaints_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/internal/accounts"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/surveys/complaints"
)

// start is Saturday 1405/03/09 09:00 Tehran (2026-05-30).
var start = time.Date(2026, 5, 30, 9, 0, 0, 0, daftar.Tehran())

// fixture is a complaints service over a real database with three real
// offices (two in Yazd, one in Tehran), two inspectors, and fakes for what
// the service asks of other packages.
type fixture struct {
	d          *db.DB
	clock      *daftar.ManualClock
	s          *complaints.Service
	offices    *fakeOffices
	surveys    fakeSurveys
	outbox     *fakeOutbox
	inspectors fakeInspectors
	yazdA      complaints.Office
	yazdB      complaints.Office
	tehran     complaints.Office
	insp1      int64
	insp2      int64
}

func setup(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	ctx := daftar.WithActor(context.Background(), daftar.SystemActor("test"))
	if err := geo.LoadReference(ctx, d); err != nil {
		t.Fatal(err)
	}
	gaz, err := geo.LoadGazetteer(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := geo.LoadCatalogue(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	clock := daftar.NewManualClock(start)
	al := audit.New(d, clock)
	reg, err := offices.New(d, clock, al, gaz, cat, offices.NewChanges(), offices.Config{})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{d: d, clock: clock, offices: &fakeOffices{byID: map[int64]complaints.Office{}}, surveys: fakeSurveys{},
		outbox: &fakeOutbox{}, inspectors: fakeInspectors{}}
	mk := func(code, name, city, province string, lat, lon float64, mobile string) complaints.Office {
		o, err := reg.Create(ctx, offices.Input{Code: &code, NameFa: &name, City: &city, Latitude: &lat, Longitude: &lon,
			Counters: ptr(3), Services: []string{"criminal_record", "e_notification"}})
		if err != nil {
			t.Fatal(err)
		}
		off := complaints.Office{ID: o.ID, Code: o.Code, Name: o.NameFa, Province: province, City: city, Active: true,
			NoticeMobile: mobile}
		f.offices.byID[o.ID] = off
		return off
	}
	f.yazdA = mk("YAZ-0001", "دفتر یزد یک", "yazd", "YAZ", 31.89, 54.36, "0913 111 2233")
	f.yazdB = mk("YAZ-0002", "دفتر یزد دو", "yazd", "YAZ", 31.90, 54.37, "")
	f.tehran = mk("THR-0001", "دفتر تهران", "tehran", "THR", 35.69, 51.39, "09121112233")

	acc, err := accounts.New(d, clock, al, reg, slog.New(slog.DiscardHandler),
		accounts.Config{Argon2: accounts.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"inspector.one", "inspector.two"} {
		u, err := acc.Create(ctx, accounts.NewUser{Username: name, Password: "Correct-Horse-Battery-9", Role: daftar.RoleInspector})
		if err != nil {
			t.Fatal(err)
		}
		f.inspectors[u.ID] = true
		if i == 0 {
			f.insp1 = u.ID
		} else {
			f.insp2 = u.ID
		}
	}
	f.s = f.newService(t, d)
	return f
}

// newService builds a service over d with the fixture's fakes (a second
// one over another connection pool is a second replica).
func (f *fixture) newService(t *testing.T, d *db.DB) *complaints.Service {
	t.Helper()
	cat, err := geo.LoadCatalogue(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	s, err := complaints.New(complaints.Deps{DB: d, Clock: f.clock, Audit: audit.New(d, f.clock),
		Calendar: daftar.OfficialWorkCalendar(), Offices: f.offices, Catalogue: cat, Surveys: f.surveys,
		Outbox: f.outbox, Inspectors: f.inspectors, MobileKey: testKey}, complaints.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var testKey = []byte("0123456789abcdef0123456789abcdef")

func ptr[T any](v T) *T { return &v }

// Actors.
func admin() context.Context {
	return daftar.WithActor(context.Background(), daftar.Actor{UserID: 1, Username: "admin", Role: daftar.RoleAdmin})
}

func ministry() context.Context {
	return daftar.WithActor(context.Background(), daftar.Actor{UserID: 2, Username: "ministry", Role: daftar.RoleMinistry})
}

func inspector(id int64) context.Context {
	return daftar.WithActor(context.Background(), daftar.Actor{UserID: id, Username: "inspector", Role: daftar.RoleInspector})
}

func owner(office int64) context.Context {
	return daftar.WithActor(context.Background(), daftar.Actor{UserID: 900 + office, Username: "owner",
		Role: daftar.RoleOfficeOwner, OfficeID: office})
}

// file files a valid complaint against office and fails the test if it is
// refused.
func (f *fixture) file(t *testing.T, office int64, cat complaints.Category) complaints.Receipt {
	t.Helper()
	in := complaints.Filing{OfficeID: office, Category: string(cat), Description: "کارمند دفتر بیش از تعرفه پول گرفت"}
	if cat == complaints.ExtraFee {
		in.AmountPaid, in.Service = "250000", "criminal_record"
	}
	r, err := f.s.File(context.Background(), in)
	if err != nil {
		t.Fatalf("file: %v", err)
	}
	return r
}

type fakeOffices struct{ byID map[int64]complaints.Office }

func (o *fakeOffices) OfficeByID(_ context.Context, id int64) (complaints.Office, error) {
	if off, ok := o.byID[id]; ok {
		return off, nil
	}
	return complaints.Office{}, daftar.NotFound("office_not_found", "no such office")
}

func (o *fakeOffices) OfficeByCode(_ context.Context, code string) (complaints.Office, error) {
	for _, off := range o.byID {
		if strings.EqualFold(off.Code, code) {
			return off, nil
		}
	}
	return complaints.Office{}, daftar.NotFound("office_not_found", "no such office")
}

type fakeSurveys map[string]complaints.SurveyVisit

func (s fakeSurveys) SurveyVisit(_ context.Context, token string) (complaints.SurveyVisit, error) {
	if v, ok := s[token]; ok {
		return v, nil
	}
	return complaints.SurveyVisit{}, daftar.NotFound("survey_not_found", "unknown survey link")
}

type sms struct{ mobile, body string }

type fakeOutbox struct {
	mu   sync.Mutex
	msgs []sms
}

func (o *fakeOutbox) QueueSMS(_ context.Context, tx *db.Tx, mobile, body string) error {
	if tx == nil {
		return errors.New("the outbox takes the caller's transaction")
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.msgs = append(o.msgs, sms{mobile, body})
	return nil
}

func (o *fakeOutbox) sent() []sms {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]sms(nil), o.msgs...)
}

type fakeInspectors map[int64]bool

func (i fakeInspectors) ActiveInspector(_ context.Context, id int64) (bool, error) { return i[id], nil }

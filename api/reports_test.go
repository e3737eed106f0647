package api_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/xuri/excelize/v2"
)

func TestReports(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		staff := h.tokens[daftar.RoleMinistry]
		for _, kind := range []string{"offices", "crowding", "surveys", "rankings", "candidates"} {
			res := h.do("GET", "/api/v1/reports/"+kind+".xlsx", staff, nil)
			if res.Code != 200 || !strings.Contains(res.Header().Get("Content-Type"), "spreadsheetml") {
				t.Fatalf("%s.xlsx: %d %s", kind, res.Code, res.Body)
			}
			f, err := excelize.OpenReader(bytes.NewReader(res.Body.Bytes()))
			if err != nil {
				t.Fatalf("%s.xlsx does not open: %v", kind, err)
			}
			sheet := f.GetSheetName(0)
			view, _ := f.GetSheetView(sheet, 0)
			if view.RightToLeft == nil || !*view.RightToLeft {
				t.Errorf("%s.xlsx is not right to left", kind)
			}
			f.Close()
			res = h.do("GET", "/api/v1/reports/"+kind+".csv?lang=en", staff, nil)
			if res.Code != 200 || !strings.HasPrefix(res.Body.String(), "\ufeff") {
				t.Fatalf("%s.csv: %d", kind, res.Code)
			}
		}
		csv := h.do("GET", "/api/v1/reports/offices.csv", staff, nil).Body.String()
		if !strings.Contains(csv, "THR-0001") || !strings.Contains(csv, "KRZ-0001") || !strings.Contains(csv, "کد") {
			t.Fatalf("offices.csv: %s", csv)
		}
		// An owner gets their own office only, and no staff reports.
		owner := h.tokens[daftar.RoleOfficeOwner]
		mine := h.do("GET", "/api/v1/reports/offices.csv", owner, nil).Body.String()
		if !strings.Contains(mine, "THR-0001") || strings.Contains(mine, "KRZ-0001") {
			t.Fatalf("owner's offices.csv: %s", mine)
		}
		if res := h.do("GET", "/api/v1/reports/candidates.xlsx", owner, nil); res.Code != 403 {
			t.Fatalf("owner candidates: %d", res.Code)
		}
		for _, c := range []struct {
			path   string
			status int
		}{{"/api/v1/reports/nothing.xlsx", 404}, {"/api/v1/reports/offices.pdf", 404}, {"/api/v1/reports/offices", 404},
			{"/api/v1/reports/surveys.xlsx?period=1405-14", 400}, {"/api/v1/reports/offices.csv?lang=de", 400}} {
			if res := h.do("GET", c.path, staff, nil); res.Code != c.status {
				t.Errorf("%s: %d, want %d", c.path, res.Code, c.status)
			}
		}
	})
}

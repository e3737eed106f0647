package api_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
)

// bareOffice is what the bare handler reads: the same two statements the
// register runs for GET /api/v1/offices/{id}.
func bareHandler(d *db.DB) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(strings.TrimPrefix(r.URL.Path, "/offices/"), 10, 64)
		if err != nil {
			http.Error(w, "bad id", 400)
			return
		}
		ctx := r.Context()
		var o struct {
			ID                                                   int64
			Code, NameFa, NameEn, Owner, Province, City, Address string
			Phone, Hours, Status, Search                         string
			District                                             sql.NullString
			Lat, Lon                                             float64
			Counters                                             int
			Version                                              int64
			Created, Updated                                     time.Time
			Services                                             []string
		}
		err = d.SQL.QueryRowContext(ctx, rebind(d, `SELECT id, code, name_fa, name_en, owner_name, province_code, city_code, district_code,
			latitude, longitude, address, phone, counters, opening_hours, status, search_text, version, created_at, updated_at
			FROM offices WHERE id = ? LIMIT 1`), id).Scan(&o.ID, &o.Code, &o.NameFa, &o.NameEn, &o.Owner, &o.Province, &o.City, &o.District,
			&o.Lat, &o.Lon, &o.Address, &o.Phone, &o.Counters, &o.Hours, &o.Status, &o.Search, &o.Version, &o.Created, &o.Updated)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		rows, err := d.SQL.QueryContext(ctx, rebind(d, `SELECT office_id, service_code FROM office_services WHERE office_id IN (?) ORDER BY office_id, service_code`), id)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		for rows.Next() {
			var oid int64
			var s string
			rows.Scan(&oid, &s)
			o.Services = append(o.Services, s)
		}
		rows.Close()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(o)
	})
}

func rebind(d *db.DB, q string) string {
	if d.Dialect != db.Postgres {
		return q
	}
	n := 0
	var b strings.Builder
	for _, c := range q {
		if c == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// BenchmarkGetOffice compares GET /api/v1/offices/{id} through the whole
// stack (HTTP, gin, request id, metrics, access log, authentication, access
// check, the register, JSON) with a bare net/http handler running the same
// statements on the same driver, both over loopback HTTP, interleaved in one
// run. It reports each side's requests per second and their ratio
// (stack/bare; the issue asks for at least 0.6).
func BenchmarkGetOffice(b *testing.B) {
	for _, engine := range dbtest.Engines(b) {
		b.Run(string(engine), func(b *testing.B) {
			d := dbtest.Open(b, engine)
			h := newHarness(b, d)
			stack := httptest.NewServer(h.h)
			defer stack.Close()
			bare := httptest.NewServer(bareHandler(d))
			defer bare.Close()
			tok := h.tokens[daftar.RoleInspector]
			stackURL := fmt.Sprintf("%s/api/v1/offices/%d", stack.URL, h.officeA)
			bareURL := fmt.Sprintf("%s/offices/%d", bare.URL, h.officeA)
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			get := func(url, token string) time.Duration {
				req, _ := http.NewRequestWithContext(context.Background(), "GET", url, nil)
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				start := time.Now()
				res, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != 200 {
					b.Fatalf("%s: %d", url, res.StatusCode)
				}
				return time.Since(start)
			}
			// Warm both paths (connections, statement caches).
			for i := 0; i < 50; i++ {
				get(stackURL, tok)
				get(bareURL, "")
			}
			var stackNs, bareNs atomic.Int64
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					stackNs.Add(int64(get(stackURL, tok)))
					bareNs.Add(int64(get(bareURL, "")))
				}
			})
			b.StopTimer()
			ratio := float64(bareNs.Load()) / float64(stackNs.Load())
			b.ReportMetric(float64(b.N)/time.Duration(stackNs.Load()).Seconds(), "stack-req/s/worker")
			b.ReportMetric(float64(b.N)/time.Duration(bareNs.Load()).Seconds(), "bare-req/s/worker")
			b.ReportMetric(ratio, "stack/bare")
		})
	}
}

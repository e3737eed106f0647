package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
)

// The probes never read credentials: a garbage, expired or unknown bearer
// token cannot fail them.
func TestProbesIgnoreCredentials(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		for _, path := range []string{"/healthz", "/readyz"} {
			for _, auth := range []string{"Bearer not-a-token", "Basic abc", "Bearer " + h.tokens[daftar.RoleAdmin]} {
				res := h.do("GET", path, "", nil, "Authorization", auth)
				if res.Code != http.StatusOK {
					t.Errorf("%s with %q: %d %s", path, auth[:min(len(auth), 12)], res.Code, res.Body)
				}
			}
		}
	})
}

// With the database gone every route answers: 503 problem+json with
// Retry-After where it needs the database, never a 500; /healthz stays 200
// and /readyz says 503.
func TestDatabaseGoneAnswers503(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		admin := h.tokens[daftar.RoleAdmin]
		d.Close() // every statement now fails as the pool is closed

		if res := h.do("GET", "/healthz", admin, nil); res.Code != http.StatusOK {
			t.Fatalf("/healthz with the database gone: %d %s", res.Code, res.Body)
		}
		res := h.do("GET", "/readyz", "", nil)
		if p := problemOf(t, res); res.Code != http.StatusServiceUnavailable || p.Code != "database_unavailable" {
			t.Fatalf("/readyz with the database gone: %d %+v", res.Code, p)
		}
		res = h.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "admin-user", "password": testPassword})
		if p := problemOf(t, res); res.Code != http.StatusServiceUnavailable || p.Code != "database_unavailable" || res.Header().Get("Retry-After") == "" {
			t.Fatalf("login with the database gone: %d %+v, Retry-After %q", res.Code, p, res.Header().Get("Retry-After"))
		}
		if strings.Contains(h.logs.String(), `"msg":"internal error"`) {
			t.Fatalf("an outage was logged as an internal error:\n%s", h.logs.String())
		}

		unavailable := 0
		for _, r := range h.srv.Routes() {
			path := fillPath(r.Path, h.officeA)
			var body any
			if r.Method == http.MethodPost || r.Method == http.MethodPatch {
				body = "{}"
			}
			for _, tok := range []string{"", admin} {
				res := h.do(r.Method, path, tok, body)
				switch {
				case res.Code >= 500 && res.Code != http.StatusServiceUnavailable:
					t.Errorf("%s %s (token %v): %d %s", r.Method, path, tok != "", res.Code, res.Body)
				case res.Code == http.StatusServiceUnavailable:
					unavailable++
					if res.Header().Get("Retry-After") == "" {
						t.Errorf("%s %s: 503 without Retry-After", r.Method, path)
					}
					if !r.Page {
						problemOf(t, res)
					} else if !strings.Contains(res.Body.String(), "در دسترس نیست") {
						t.Errorf("%s %s: the 503 page does not say, in Persian, that the service is unavailable: %s", r.Method, path, res.Body)
					}
				}
			}
		}
		if unavailable < len(h.srv.Routes()) {
			t.Errorf("only %d answers of %d requests were 503 with the database gone", unavailable, 2*len(h.srv.Routes()))
		}
	})
}

// fillPath puts plausible values into a route's parameters.
func fillPath(p string, office int64) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		switch s {
		case ":id":
			parts[i] = itoa(office)
		case ":file":
			parts[i] = "offices.csv"
		case ":token":
			parts[i] = "some-token-value"
		case ":code":
			parts[i] = "tehran"
		case ":action":
			parts[i] = "suspend"
		default:
			if strings.HasPrefix(s, ":") {
				parts[i] = "1"
			}
		}
	}
	return strings.Join(parts, "/")
}

// brokenBody gives n bytes of its content, then fails as a connection that
// broke midway.
type brokenBody struct {
	r *bytes.Reader
}

func (b *brokenBody) Read(p []byte) (int, error) {
	if b.r.Len() == 0 {
		return 0, io.ErrUnexpectedEOF
	}
	return b.r.Read(p)
}

// An upload whose client went away midway is logged as what happened (499,
// rolled back), not as a 200 of -1 bytes, and stores nothing.
func TestUploadClientGoneIsLogged(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		file, err := os.ReadFile("../licensing/testdata/exam-sample.csv")
		if err != nil {
			t.Fatal(err)
		}
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", "exam.csv")
		fw.Write(file)
		mw.Close()
		half := body.Bytes()[:body.Len()/2]
		req := httptest.NewRequest("POST", "/api/v1/exam-imports?exam_year=1404", &brokenBody{bytes.NewReader(half)})
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+h.tokens[daftar.RoleAdmin])
		h.h.ServeHTTP(httptest.NewRecorder(), req)

		var line map[string]any
		for _, l := range strings.Split(h.logs.String(), "\n") {
			if strings.Contains(l, `"route":"/api/v1/exam-imports"`) && strings.Contains(l, `"msg":"http request"`) {
				json.Unmarshal([]byte(l), &line)
			}
		}
		if line["status"] != float64(499) || !strings.Contains(fmt.Sprint(line["outcome"]), "rolled back") || line["bytes"] != float64(0) {
			t.Fatalf("access log of the broken upload: %v", line)
		}
		var n int64
		if err := d.SQL.QueryRow("SELECT COUNT(*) FROM exam_imports").Scan(&n); err != nil || n != 0 {
			t.Fatalf("%d imports stored (%v)", n, err)
		}
	})
}

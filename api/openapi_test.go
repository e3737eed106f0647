package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

func loadSpec(t *testing.T, h *harness) *openapi3.T {
	t.Helper()
	res := h.do("GET", "/openapi.json", "", nil)
	if res.Code != 200 {
		t.Fatalf("openapi.json: %d", res.Code)
	}
	doc, err := openapi3.NewLoader().LoadFromData(res.Body.Bytes())
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the OpenAPI document is not valid: %v", err)
	}
	return doc
}

// TestOpenAPIDescribesEveryRoute: the served document is valid OpenAPI 3
// and has every /api/v1 route with its method.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	d := dbtest.Open(t, db.SQLite)
	h := newHarness(t, d)
	doc := loadSpec(t, h)
	for _, r := range h.srv.Routes() {
		if !strings.HasPrefix(r.Path, "/api/v1/") {
			continue
		}
		p := openAPIPathOf(r.Path)
		item := doc.Paths.Find(p)
		if item == nil {
			t.Errorf("%s %s is not in the document", r.Method, p)
			continue
		}
		if item.GetOperation(r.Method) == nil {
			t.Errorf("%s %s: method missing", r.Method, p)
		}
	}
}

func openAPIPathOf(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if strings.HasPrefix(s, ":") {
			parts[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(parts, "/")
}

// TestResponsesMatchTheDocument sends real requests and validates both the
// requests and the answers (successes and problems) against the document.
func TestResponsesMatchTheDocument(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		doc := loadSpec(t, h)
		router, err := gorillamux.NewRouter(doc)
		if err != nil {
			t.Fatal(err)
		}
		admin := h.tokens[daftar.RoleAdmin]
		office := "/api/v1/offices/" + itoa(h.officeA)
		cases := []struct {
			method, path, token string
			body                any
		}{
			{"POST", "/api/v1/auth/login", "", map[string]string{"username": "admin-user", "password": testPassword}},
			{"POST", "/api/v1/auth/login", "", map[string]string{"username": "admin-user", "password": "wrong-password"}},
			{"GET", "/api/v1/auth/me", admin, nil},
			{"GET", "/api/v1/users?page_size=2", admin, nil},
			{"POST", "/api/v1/users", admin, map[string]any{"username": "new.user", "password": "long-enough-1", "role": "ministry"}},
			{"GET", "/api/v1/regions?level=province", admin, nil},
			{"GET", "/api/v1/regions/THR", admin, nil},
			{"GET", "/api/v1/services", "", nil},
			{"GET", "/api/v1/offices?page_size=5", admin, nil},
			{"GET", office, admin, nil},
			{"PATCH", office, admin, map[string]any{"counters": 5}},
			{"POST", "/api/v1/offices", admin, validOffice()},
			{"POST", "/api/v1/offices", admin, map[string]any{"name": ""}},
			{"GET", "/api/v1/offices/999999", admin, nil},
			{"GET", "/api/v1/audit-events", admin, nil},
			{"GET", "/api/v1/jobs?runs=2", admin, nil},
			{"POST", "/api/v1/jobs/rollups/run", admin, nil},
			{"POST", "/api/v1/jobs/no-such-job/run", admin, nil},
		}
		for _, c := range cases {
			res := h.do(c.method, c.path, c.token, c.body)
			req := httptest.NewRequest(c.method, "http://example.com"+c.path, strings.NewReader(bodyString(c.body)))
			req.Header.Set("Content-Type", "application/json")
			if c.token != "" {
				req.Header.Set("Authorization", "Bearer "+c.token)
			}
			route, params, err := router.FindRoute(req)
			if err != nil {
				t.Errorf("%s %s: not in the document: %v", c.method, c.path, err)
				continue
			}
			in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
				Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
			out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.Code,
				Header: res.Header(), Options: &openapi3filter.Options{IncludeResponseStatus: true}}
			out.SetBodyBytes(res.Body.Bytes())
			if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
				t.Errorf("%s %s → %d does not match the document: %v", c.method, c.path, res.Code, err)
			}
			if res.Code >= http.StatusInternalServerError {
				t.Errorf("%s %s → %d", c.method, c.path, res.Code)
			}
		}
	})
}

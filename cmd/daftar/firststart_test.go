package main

import (
	"strings"
	"testing"
	"time"
)

// TestFirstStartListensWhileSeeding: serve --demo on an empty database
// listens at once; while the demo dataset is being seeded /healthz answers
// 200, /readyz 503 saying "seeding demo data, N%", a page the Persian
// "preparing the demo data" page, and the API 503; stopping it then ends
// the seeding and the process cleanly. (The whole seeding, and /readyz
// turning 200 after it, is what TestSeedDemo and the README's first start
// cover; here only the early answers are asked for.)
func TestFirstStartListensWhileSeeding(t *testing.T) {
	env := map[string]string{"DAFTAR_DATA_DIR": t.TempDir(), "DAFTAR_ADMIN_PASSWORD": "first-start-password", "LOG_LEVEL": "warn"}
	d := startDaftar(t, env, "--demo")
	code, _, body := call(t, "GET", d.base+"/readyz", "", nil)
	if code != 503 || !strings.Contains(string(body), "seeding demo data, ") || !strings.Contains(string(body), "%") {
		t.Fatalf("readyz while seeding: %d %s", code, body)
	}
	if code, _, body := call(t, "GET", d.base+"/healthz", "", nil); code != 200 {
		t.Fatalf("healthz while seeding: %d %s", code, body)
	}
	code, hdr, body := call(t, "GET", d.base+"/login", "", nil)
	if code != 503 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/html") || !strings.Contains(string(body), "آماده‌سازی داده‌های نمایشی") ||
		!strings.Contains(string(body), `dir="rtl"`) || hdr.Get("Retry-After") == "" {
		t.Fatalf("a page while seeding: %d %q %s", code, hdr, body)
	}
	code, hdr, body = call(t, "POST", d.base+"/api/v1/auth/login", "", map[string]string{"username": "admin", "password": "first-start-password"})
	if code != 503 || hdr.Get("Content-Type") != "application/problem+json" || !strings.Contains(string(body), `"code":"starting"`) {
		t.Fatalf("the API while seeding: %d %q %s", code, hdr, body)
	}
	start := time.Now()
	if code := d.stop(t); code != 0 {
		t.Fatalf("stopped while seeding: exit %d", code)
	}
	t.Logf("stopped %s after the signal", time.Since(start).Round(time.Millisecond))
}

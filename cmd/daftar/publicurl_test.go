package main

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// TestPublicURLFromConfigurationOnly (hardening, finding 3): survey links
// are built on DAFTAR_PUBLIC_URL, or without it on the listen address with
// one warning that production must set it; never on a request's Host.
func TestPublicURLFromConfigurationOnly(t *testing.T) {
	for _, c := range []struct {
		public, listen, want string
		warns                bool
	}{
		{"https://daftar.example.ir", ":8080", "https://daftar.example.ir", false},
		{"", ":8080", "http://localhost:8080", true},
		{"", "0.0.0.0:9000", "http://localhost:9000", true},
		{"", "[::]:9000", "http://localhost:9000", true},
		{"", "127.0.0.1:8123", "http://127.0.0.1:8123", true},
		{"", "nonsense", "http://localhost:8080", true},
	} {
		var buf bytes.Buffer
		log := slog.New(slog.NewTextHandler(&buf, nil))
		got := config{PublicURL: c.public, ListenAddr: c.listen}.publicURL(log)
		if got != c.want {
			t.Errorf("public %q listen %q: %q, want %q", c.public, c.listen, got, c.want)
		}
		warnings := strings.Count(buf.String(), "DAFTAR_PUBLIC_URL is not set")
		if c.warns && (warnings != 1 || !strings.Contains(buf.String(), "level=WARN")) || !c.warns && buf.Len() != 0 {
			t.Errorf("public %q listen %q: log %q", c.public, c.listen, buf.String())
		}
	}
}

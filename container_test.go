package daftar

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestContainerFiles: the Dockerfile builds with the Go release go.mod asks
// for (no older image, no toolchain download) and checks its health on
// /healthz; compose.yaml runs Daftar with PostgreSQL 15, both with health
// checks, the database ready before Daftar starts, and the placeholders
// a deployment must replace. (Docker itself is not run here.)
func TestContainerFiles(t *testing.T) {
	read := func(p string) string {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	mod := regexp.MustCompile(`(?m)^go (\S+)$`).FindStringSubmatch(read("go.mod"))
	if mod == nil {
		t.Fatal("go.mod has no go line")
	}
	docker := read("Dockerfile")
	arg := regexp.MustCompile(`(?m)^ARG GO_VERSION=(\S+)$`).FindStringSubmatch(docker)
	if arg == nil || arg[1] != mod[1] {
		t.Fatalf("the Dockerfile's GO_VERSION is %v; go.mod asks for go %s", arg, mod[1])
	}
	for _, want := range []string{"FROM golang:${GO_VERSION}-bookworm AS build", "ENV GOTOOLCHAIN=local",
		`CMD ["/daftar", "healthcheck"]`, "--start-period=", "USER 65532:65532", "VOLUME /data"} {
		if !strings.Contains(docker, want) {
			t.Errorf("the Dockerfile has no %q", want)
		}
	}
	compose := read("compose.yaml")
	for _, want := range []string{"image: postgres:15", "pg_isready", "condition: service_healthy",
		"DATABASE_URL: postgres://", "DAFTAR_SECRET:", "DAFTAR_PUBLIC_URL:", `test: ["CMD", "/daftar", "healthcheck"]`,
		"postgres-data:/var/lib/postgresql/data", "daftar-data:/data", "CHANGE ME"} {
		if !strings.Contains(compose, want) {
			t.Errorf("compose.yaml has no %q", want)
		}
	}
	if strings.Contains(compose, "\t") {
		t.Error("compose.yaml has a tab: YAML indents with spaces")
	}
}

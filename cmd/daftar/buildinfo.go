package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// build is what the binary knows of itself: the -ldflags version when the
// build set one, else what the Go toolchain recorded (the module version,
// and the VCS revision when built with go build inside a checkout).
type build struct {
	ldflags  string // main.version; "dev" when not set
	module   string // e.g. v1.4.0, or (devel)
	path     string
	revision string
	time     string
	modified bool
	goVer    string
}

func readBuild() build {
	b := build{ldflags: version, goVer: runtime.Version()}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	b.module, b.path = info.Main.Version, info.Main.Path
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			b.revision = s.Value
		case "vcs.time":
			b.time = s.Value
		case "vcs.modified":
			b.modified = s.Value == "true"
		}
	}
	return b
}

// short is the version in one word, as /healthz and the start-up log show
// it: the -ldflags version, else a released module version, else
// devel+REVISION (with -dirty for uncommitted changes), else devel.
func (b build) short() string {
	switch {
	case b.ldflags != "" && b.ldflags != "dev":
		return b.ldflags
	case b.module != "" && b.module != "(devel)":
		return b.module
	case b.revision != "":
		r := b.revision
		if len(r) > 12 {
			r = r[:12]
		}
		if b.modified {
			r += "-dirty"
		}
		return "devel+" + r
	}
	return "devel"
}

// details are the lines under `daftar version`.
func (b build) details() []string {
	mod := b.module
	if mod == "" {
		mod = "unknown"
	}
	lines := []string{fmt.Sprintf("module %s %s", orUnknown(b.path), mod)}
	if b.revision != "" {
		l := "revision " + b.revision
		if b.time != "" {
			l += " (" + b.time + ")"
		}
		if b.modified {
			l += ", with uncommitted changes"
		}
		lines = append(lines, l)
	} else {
		lines = append(lines, "revision unknown (the build recorded none: built by go test, with -buildvcs=false, or outside a git checkout)")
	}
	if b.ldflags != "" && b.ldflags != "dev" {
		lines = append(lines, "version set at build time: "+b.ldflags)
	}
	return append(lines, b.goVer+" "+runtime.GOOS+"/"+runtime.GOARCH)
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

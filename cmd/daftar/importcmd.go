package main

import (
	"context"
	"fmt"
)

// importer loads one kind of file from the command line.
type importer struct {
	kind, usage string
	run         func(ctx context.Context, e env, args []string) error
}

// importers lists every kind of file `daftar import` takes.
func importers() []importer {
	return []importer{examResultsImporter(), visitsImporter()}
}

func importCmd(ctx context.Context, e env, args []string) error {
	if len(args) == 0 {
		return usageErr("import KIND FILE [flags]; kinds: %s", importKinds())
	}
	for _, im := range importers() {
		if im.kind == args[0] {
			return im.run(ctx, e, args[1:])
		}
	}
	return usageErr("unknown import kind %q; kinds: %s", args[0], importKinds())
}

func importKinds() string {
	s := ""
	for i, im := range importers() {
		if i > 0 {
			s += ", "
		}
		s += im.kind
	}
	return fmt.Sprint(s)
}

package main

import (
	"context"
)

// importer loads one kind of file from the command line.
type importer struct {
	kind    string
	summary string
	flags   []flagSpec
	run     func(ctx context.Context, e env, args []string) error
}

// importers lists every kind of file `daftar import` takes.
func importers() []importer {
	return []importer{examResultsImporter(), visitsImporter()}
}

// importCommands are the kinds as subcommands of import: each takes one
// FILE and its own flags.
func importCommands() []command {
	var out []command
	for _, im := range importers() {
		out = append(out, command{name: im.kind, args: "FILE", minArgs: 1, maxArgs: 1, summary: im.summary,
			flags: im.flags, config: true, quiet: true, run: im.run})
	}
	return out
}

package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/daftar-ir/daftar"
)

// partitionsCmd: daftar partitions — the monthly partitions of visits
// (PostgreSQL), oldest first, with their rows and size: what retention
// (docs/scale.md) detaches and archives.
func partitionsCmd(ctx context.Context, e env, args []string) error {
	return withApp(ctx, e, "partitions", args, func(a *app, _ []string) error {
		list, err := a.visits.Partitions(ctx)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			fmt.Fprintln(e.stdout, "daftar: visits is not partitioned (SQLite keeps it as one table)")
			return nil
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "partition\tmonth\tfrom (Tehran)\tto\trows (estimate)\tsize\t")
		for _, p := range list {
			month, from, to := "default", "", ""
			if p.To > p.From {
				j := daftar.ToJalali(time.Unix(p.From, 0))
				month = fmt.Sprintf("%04d-%02d", j.Year, j.Month)
				from, to = daftar.TehranDate(time.Unix(p.From, 0)), daftar.TehranDate(time.Unix(p.To-1, 0))
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%.1f MiB\t\n", p.Name, month, from, to, p.Rows, float64(p.Bytes)/(1<<20))
		}
		return tw.Flush()
	})
}

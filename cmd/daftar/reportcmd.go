package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/licensing"
	"github.com/daftar-ir/daftar/reports"
)

// reportCmd writes a report as the API serves it:
// daftar report KIND.xlsx|KIND.csv [--out FILE] [--period 1405-08 | --from D --to D] [--lang fa|en].
func reportCmd(ctx context.Context, e env, args []string) error {
	const use = "report KIND.xlsx|KIND.csv [--out FILE] [--period 1405-08 | --from DAY --to DAY] [--lang fa|en]"
	vals, pos, rest, err := splitArgs(args, map[string]bool{"out": false, "period": false, "from": false, "to": false, "lang": false})
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErr(use)
	}
	kind, format, ok := strings.Cut(pos[0], ".")
	if !ok || (format != "xlsx" && format != "csv") {
		return usageErr("%s: the report is KIND.xlsx or KIND.csv", use)
	}
	lang := vals["lang"]
	if lang == "" {
		lang = "fa"
	}
	if lang != "fa" && lang != "en" {
		return usageErr("--lang must be fa or en")
	}
	return withApp(ctx, e, "report", rest, func(a *app, _ []string) error {
		p, err := reportSpan(vals, a.clock.Now())
		if err != nil {
			return err
		}
		p.Lang = lang
		t, err := a.reports.Build(ctx, kind, p)
		if err != nil {
			return err
		}
		out := vals["out"]
		if out == "" {
			out = pos[0]
		}
		var w io.Writer = e.stdout
		var f *os.File
		if out != "-" {
			if f, err = os.Create(out); err != nil {
				return err
			}
			w = f
		}
		if format == "xlsx" {
			err = reports.WriteXLSX(w, t, lang)
		} else {
			err = reports.WriteCSV(w, t, lang)
		}
		if f != nil {
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				os.Remove(out) // never leave half a spreadsheet behind
				return err
			}
			fmt.Fprintf(e.stderr, "daftar: %s: %d rows written to %s\n", kind, len(t.Rows), out)
		}
		return err
	})
}

// reportSpan reads --period or --from/--to as the API does.
func reportSpan(vals map[string]string, now time.Time) (reports.Params, error) {
	per, from, to := vals["period"], vals["from"], vals["to"]
	switch {
	case per != "" && (from != "" || to != ""):
		return reports.Params{}, usageErr("give either --period or --from/--to")
	case per != "":
		p, err := daftar.ParsePeriod(per)
		if err != nil {
			return reports.Params{}, usageErr("--period must be a Jalali month like 1405-08 or a quarter like 1405-Q3")
		}
		return reports.Params{From: p.Start(), To: p.End(), Period: p.String(), SpanGiven: true}, nil
	case from != "" || to != "":
		f, err1 := daftar.ParseDate(from)
		t, err2 := daftar.ParseDate(to)
		if err1 != nil || err2 != nil || t.Before(f) {
			return reports.Params{}, usageErr("--from and --to must be days like 2026-10-23 or 1405/08/01, from first")
		}
		return reports.Params{From: f, To: t.AddDate(0, 0, 1), SpanGiven: true}, nil
	}
	p := daftar.MonthOf(now)
	return reports.Params{From: p.Start(), To: p.End(), Period: p.String()}, nil
}

// demandCmd prints the demand model: daftar demand [--province CODE] [--top N].
func demandCmd(ctx context.Context, e env, args []string) error {
	vals, pos, rest, err := splitArgs(args, map[string]bool{"province": false, "top": false, "explain": true})
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usageErr("demand [--province CODE] [--top N] [--explain]")
	}
	top := 20
	if v := vals["top"]; v != "" {
		n, err := daftar.ParseInt(v)
		if err != nil || n < 1 {
			return usageErr("--top must be a positive number")
		}
		top = int(n)
	}
	return withApp(ctx, e, "demand", rest, func(a *app, _ []string) error {
		res, err := a.demand.Compute(ctx, licensing.DemandQuery{})
		if err != nil {
			return err
		}
		m := res.Model
		fmt.Fprintf(e.stdout, "visits %s to %s; target %.0f residents per office (%s); wait target %.0f min\n\n",
			daftar.ToJalali(m.From), daftar.ToJalali(m.To.Add(-time.Second)), m.TargetPopulationPerOffice, m.TargetSource, m.WaitTargetMin)
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "city\tpopulation\tactive\tlicensed\tneeded\tby\tshortage\tp90 wait\t")
		n := 0
		for _, d := range res.Regions {
			if p := vals["province"]; p != "" && d.Province != p {
				continue
			}
			if n++; n > top {
				break
			}
			p90 := "-"
			if d.Crowding.WaitP90Min != nil {
				p90 = fmt.Sprintf("%.1f", *d.Crowding.WaitP90Min)
			}
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%s\t%d\t%s\t\n", d.NameEn, d.Population, d.ActiveOffices, d.LicensedNotOpen,
				d.Needed, d.Binding, d.Shortage, p90)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if vals["explain"] == "true" {
			fmt.Fprintln(e.stdout)
			n = 0
			for _, d := range res.Regions {
				if p := vals["province"]; p != "" && d.Province != p {
					continue
				}
				if n++; n > top {
					break
				}
				fmt.Fprintf(e.stdout, "%s\n\n", d.Explanation)
			}
		}
		return nil
	})
}

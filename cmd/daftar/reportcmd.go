package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/licensing"
	"github.com/daftar-ir/daftar/ranking/inspections"
	"github.com/daftar-ir/daftar/reports"
	"github.com/daftar-ir/daftar/surveys/complaints"
)

var reportFlags = []flagSpec{
	{name: "out", arg: "FILE", help: "where to write (default: KIND.xlsx or KIND.csv here; - for standard output)"},
	{name: "period", arg: "PERIOD", help: "a Jalali month (1405-08) or quarter (1405-Q3); default: this month"},
	{name: "from", arg: "DAY", help: "first day (2026-10-23 or 1405/08/01), with --to instead of --period"},
	{name: "to", arg: "DAY", help: "last day, with --from"},
	{name: "lang", arg: "fa|en", help: "language of the headers and sheet (default fa, right to left)"},
}

// reportKinds are every kind of report (those that need licensing, inspections and complaints too).
var reportKinds = (&reports.Reports{Licences: &licensing.Licences{}, Rounds: &licensing.Rounds{}, Demand: &licensing.Demand{},
	Inspections: &inspections.Service{}, Complaints: &complaints.Service{}}).Kinds()

// reportCmd writes a report as the API serves it:
// daftar report KIND.xlsx|KIND.csv [--out FILE] [--period 1405-08 | --from D --to D] [--lang fa|en].
func reportCmd(ctx context.Context, e env, args []string) error {
	vals, pos, rest, err := splitArgs(args, ownFlags(reportFlags))
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErr("report needs one KIND.xlsx or KIND.csv")
	}
	kind, format, ok := strings.Cut(pos[0], ".")
	if !ok || (format != "xlsx" && format != "csv") {
		return usageErr("%q: a report is KIND.xlsx or KIND.csv; kinds: %s", pos[0], strings.Join(reportKinds, ", "))
	}
	if !slices.Contains(reportKinds, kind) {
		return usageErr("no report %q; kinds: %s", kind, strings.Join(reportKinds, ", "))
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

// ownFlags maps flag specs to splitArgs' form: name → whether a switch.
func ownFlags(fs []flagSpec) map[string]bool {
	m := map[string]bool{}
	for _, f := range fs {
		m[f.name] = f.arg == ""
	}
	return m
}

// provinceCode reads --province: a province's code (any case) or its name
// in Persian or English; anything else is refused with the known codes.
func provinceCode(gaz *geo.Gazetteer, v string) (string, error) {
	var codes []string
	for _, r := range gaz.Level(geo.LevelProvince) {
		if strings.EqualFold(r.Code, strings.TrimSpace(v)) {
			return r.Code, nil
		}
		codes = append(codes, r.Code)
	}
	if r, ok := gaz.MatchProvince(v); ok {
		return r.Code, nil
	}
	return "", usageErr("--province %q is not a province; the codes are: %s", v, strings.Join(codes, ", "))
}

// thousands writes a figure as the demand explanations do: rounded to the
// nearest whole number (half away from zero), with thousands separators.
func thousands(v float64) string {
	s := strconv.FormatInt(int64(math.Round(v)), 10)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
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

var demandFlags = []flagSpec{
	{name: "province", arg: "CODE", help: "only this province's cities (a province code, e.g. THR)"},
	{name: "top", arg: "N", help: "the N cities with the largest shortage (default 20)"},
	{name: "explain", help: "under the table, the figures behind each city's need in words"},
}

// demandCmd prints the demand model: daftar demand [--province CODE] [--top N] [--explain].
func demandCmd(ctx context.Context, e env, args []string) error {
	vals, pos, rest, err := splitArgs(args, ownFlags(demandFlags))
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usageErr("demand takes no arguments, only flags")
	}
	explain, err := switchValue(vals, "explain")
	if err != nil {
		return err
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
		province := vals["province"]
		if province != "" {
			code, err := provinceCode(a.gazetteer, province)
			if err != nil {
				return err
			}
			province = code
		}
		res, err := a.demand.Compute(ctx, licensing.DemandQuery{})
		if err != nil {
			return err
		}
		m := res.Model
		// The target is rounded as the explanations round it.
		fmt.Fprintf(e.stdout, "visits %s to %s; target %s residents per office (%s); queueing target: expected wait at the peak hour under %s min (DAFTAR_DEMAND_WAIT_TARGET; each visit's own limit, DAFTAR_WAIT_TARGET, is %s min)\n\n",
			daftar.ToJalali(m.From), daftar.ToJalali(m.To.Add(-time.Second)), thousands(m.TargetPopulationPerOffice),
			strings.ReplaceAll(m.TargetSource, "_", " "), strconv.FormatFloat(m.WaitTargetMin, 'f', -1, 64),
			strconv.FormatFloat(a.cfg.WaitTarget.Minutes(), 'f', -1, 64))
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "city\tpopulation\tactive\tlicensed\tneeded\tby\tshortage\tp90 wait\t")
		shown := res.Regions[:0:0]
		for _, d := range res.Regions {
			if province != "" && d.Province != province {
				continue
			}
			if len(shown) == top {
				break
			}
			shown = append(shown, d)
		}
		for _, d := range shown {
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
		if explain {
			for _, d := range shown {
				fmt.Fprintf(e.stdout, "\n%s\n", d.Explanation)
			}
		}
		return nil
	})
}

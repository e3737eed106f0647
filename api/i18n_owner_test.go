package api

import (
	"io/fs"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestOwnerWords: every word of the dashboard and the finder has both
// languages, and every key the owner's and finder's templates and handlers
// ask for is there (a missing key would show its English name on a
// Persian page).
func TestOwnerWords(t *testing.T) {
	for k, v := range ownerDictionary() { // clashes: TestDictionariesDoNotOverlap
		if v[0] == "" || v[1] == "" {
			t.Errorf("%q lacks a language", k)
		}
	}
	tr := translator("fa")
	var keys []string
	for _, name := range []string{"dashboard.html", "dashboard_visits.html", "finder.html"} {
		b, err := fs.ReadFile(webFS, "web/templates/"+name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`\bt "([a-z0-9_]+)"`).FindAllStringSubmatch(string(b), -1) {
			keys = append(keys, m[1])
		}
	}
	for _, name := range []string{"ownerpages.go", "ownerpages_waiting.go", "ownerpages_surveys.go", "ownerpages_ranking.go",
		"ownerpages_licence.go", "ownerpages_visits.go", "ownerpages_contact.go", "ownerpages_cases.go", "ownerpages_inspections.go", "finderpage.go", "pagekit.go"} {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`k\.t\("([a-z0-9_]+)"\)`).FindAllStringSubmatch(string(b), -1) {
			keys = append(keys, m[1])
		}
	}
	if len(keys) < 100 {
		t.Fatalf("only %d keys found: the patterns no longer match the code", len(keys))
	}
	for _, k := range keys {
		if tr(k) == k {
			t.Errorf("word %q is missing", k)
		}
	}
	// Keys built at run time: criteria, report kinds, states, codes.
	for _, prefix := range []string{"crit_satisfaction", "crit_waiting_p90", "crit_waiting_over_target", "crit_extra_fee", "crit_productivity",
		"crit_compliance", "report_offices", "report_crowding", "report_surveys", "report_rankings", "waiting_today", "waiting_days30",
		"visit_refused", "visit_duplicate", "no_visits_today", "no_visits_days30", "field_name", "field_address", "field_location", "field_counters", "field_services", "field_status"} {
		if tr(prefix) == prefix || strings.ContainsAny(tr(prefix), "abcdefghijklmnopqrstuvwxyz") {
			t.Errorf("word %q is missing", prefix)
		}
	}
}

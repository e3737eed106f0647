package api

import "strings"

// The register names most offices by the network's full title and then the
// place ("دفتر خدمات الکترونیک قضائی اصفهان شماره ۲۶"). In a column headed
// "office" on a phone the title repeated on every row wraps a word a line
// and pushes the figures off the screen, so lists show what tells the
// offices apart; the full name stays in the link's title.
var officeTitles = []string{"دفتر خدمات الکترونیک قضائی ", "Judicial e-services office "}

// briefOfficeName is name without the network's title, or name itself when
// it does not start with it or nothing would be left.
func briefOfficeName(name string) string {
	for _, t := range officeTitles {
		if rest, ok := strings.CutPrefix(name, t); ok && strings.TrimSpace(rest) != "" {
			return rest
		}
	}
	return name
}

package ranking

// VerifyView is a verification as a page shows it: part (a) in one line,
// part (b) in one line and a table of the offices that would move.
type VerifyView struct {
	RunID  int64
	Period string
	// Part (a): reproduced from the stored inputs, or why not.
	Reproduced bool
	Problem    string
	// Part (b): whether today's data differs, its totals, and the first
	// rows of the offices that would move (grade moves first, then ranks,
	// then the largest score changes) with how many more there are.
	Drifted  bool
	Totals   DriftTotals
	Rows     []OfficeDrift
	MoreRows int
}

// View makes the page's view of a verification with at most rows offices.
func (v Verification) View(rows int) VerifyView {
	out := VerifyView{RunID: v.RunID, Period: v.Period, Reproduced: v.Reproduce.OK, Problem: v.Reproduce.Problem,
		Drifted: v.Drift.Changed, Totals: v.Drift.Totals, Rows: v.Drift.Offices}
	if rows >= 0 && len(out.Rows) > rows {
		out.MoreRows = len(out.Rows) - rows
		out.Rows = out.Rows[:rows]
	}
	return out
}

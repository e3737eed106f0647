package licensing

import (
	"container/heap"
	"fmt"
	"sort"
	"strings"
)

// Applicant is one candidate taking part in an allocation.
type Applicant struct {
	ID          int64
	Score       float64
	Rank        int      // exam rank (1 is best); 0 when unknown
	Preferences []string // region codes, most wanted first; the whole list is used
}

// Placement is what the allocation decided for one applicant.
type Placement struct {
	ApplicantID int64
	Region      string // "" when unplaced
	Preference  int    // 1-based position of Region in the applicant's list; 0 when unplaced
	Reason      string
}

// Allocation is the outcome of a deferred-acceptance run.
type Allocation struct {
	Placements []Placement        // in applicant id order
	Filled     map[string]int     // seats taken per region
	Cutoff     map[string]float64 // the lowest score placed in each full region
	Proposals  int                // how many proposals were made (the work done)
}

// outranks is the order in which every region ranks applicants: higher exam
// score first; on equal scores the better (lower) exam rank, then the lower
// candidate id. The tie-break is deterministic and the same for every region,
// so the outcome does not depend on input order.
func outranks(a, b *Applicant) bool {
	if a.Score != b.Score {
		return a.Score > b.Score
	}
	ra, rb := a.Rank, b.Rank
	if ra == 0 {
		ra = int(^uint(0) >> 1)
	}
	if rb == 0 {
		rb = int(^uint(0) >> 1)
	}
	if ra != rb {
		return ra < rb
	}
	return a.ID < b.ID
}

// held is a region's tentative admits, a heap with the weakest on top.
type held []*Applicant

func (h held) Len() int           { return len(h) }
func (h held) Less(i, j int) bool { return outranks(h[j], h[i]) }
func (h held) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *held) Push(x any)        { *h = append(*h, x.(*Applicant)) }
func (h *held) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// DeferredAcceptance places applicants into regions with the given seats by
// candidate-proposing deferred acceptance (Gale-Shapley): each free
// applicant proposes to the next region on their list; a region keeps the
// best proposals up to its seats and rejects the rest. The result is stable
// (no applicant and region would both rather have each other), the best
// stable outcome for every applicant, and strategy-proof for them. Work is
// proportional to the number of proposals (times log of the seats).
// Preferences naming a region without seats are skipped; repeats count once.
func DeferredAcceptance(applicants []Applicant, seats map[string]int) Allocation {
	apps := make([]*Applicant, len(applicants))
	for i := range applicants {
		a := applicants[i]
		// Keep the first occurrence of each region.
		seen := map[string]bool{}
		prefs := make([]string, 0, len(a.Preferences))
		for _, r := range a.Preferences {
			if !seen[r] {
				seen[r] = true
				prefs = append(prefs, r)
			}
		}
		a.Preferences = prefs
		apps[i] = &a
	}
	sort.Slice(apps, func(i, j int) bool { return apps[i].ID < apps[j].ID })
	regions := map[string]*held{}
	for r, n := range seats {
		if n > 0 {
			h := make(held, 0, n)
			regions[r] = &h
		}
	}
	next := make([]int, len(apps)) // next preference to propose to
	index := make(map[*Applicant]int, len(apps))
	free := make([]int, 0, len(apps))
	for i, a := range apps {
		index[a] = i
		free = append(free, i)
	}
	proposals := 0
	for len(free) > 0 {
		i := free[len(free)-1]
		free = free[:len(free)-1]
		a := apps[i]
		for next[i] < len(a.Preferences) {
			r := a.Preferences[next[i]]
			next[i]++
			h, ok := regions[r]
			if !ok {
				continue // no seats there
			}
			proposals++
			if h.Len() < seats[r] {
				heap.Push(h, a)
				a = nil
				break
			}
			if weakest := (*h)[0]; outranks(a, weakest) {
				(*h)[0] = a
				heap.Fix(h, 0)
				a = weakest // the rejected one proposes on
				i = index[a]
				continue
			}
			// rejected: try the next preference
		}
	}
	out := Allocation{Filled: map[string]int{}, Cutoff: map[string]float64{}, Proposals: proposals}
	placed := map[int64]string{}
	for r, h := range regions {
		out.Filled[r] = h.Len()
		if h.Len() > 0 && h.Len() == seats[r] {
			out.Cutoff[r] = (*h)[0].Score
		}
		for _, a := range *h {
			placed[a.ID] = r
		}
	}
	// Each full region's words, written once: every unplaced applicant
	// lists the regions they asked for.
	fullLabel := map[string]string{}
	for r, c := range out.Cutoff {
		fullLabel[r] = fmt.Sprintf("%s (lowest placed score %.2f)", r, c)
	}
	for _, a := range apps {
		p := Placement{ApplicantID: a.ID}
		if r, ok := placed[a.ID]; ok {
			p.Region = r
			for k, x := range a.Preferences {
				if x == r {
					p.Preference = k + 1
					break
				}
			}
			p.Reason = fmt.Sprintf("placed at preference %d (%s)", p.Preference, r)
		} else {
			p.Reason = unplacedReason(a, seats, fullLabel)
		}
		out.Placements = append(out.Placements, p)
	}
	return out
}

// unplacedReason says why an applicant got no region: every region they
// listed was filled by higher-ranked applicants (with the cut-off scores),
// or had no seats at all.
func unplacedReason(a *Applicant, seats map[string]int, fullLabel map[string]string) string {
	if len(a.Preferences) == 0 {
		return "no preferences were given"
	}
	var full, none []string
	for _, r := range a.Preferences {
		if seats[r] <= 0 {
			none = append(none, r)
			continue
		}
		full = append(full, fullLabel[r])
	}
	var parts []string
	if len(full) > 0 {
		parts = append(parts, "every preferred region was filled by higher-ranked candidates: "+strings.Join(full, ", "))
	}
	if len(none) > 0 {
		parts = append(parts, "no licences in this round for "+strings.Join(none, ", "))
	}
	return strings.Join(parts, "; ")
}

// BlockingPair finds an applicant and a region that would both rather have
// each other than what the allocation gave them; ok is false when there is
// none (the allocation is stable).
func BlockingPair(applicants []Applicant, seats map[string]int, alloc Allocation) (applicant int64, region string, ok bool) {
	byID := map[int64]*Applicant{}
	for i := range applicants {
		byID[applicants[i].ID] = &applicants[i]
	}
	members := map[string][]*Applicant{}
	got := map[int64]string{}
	for _, p := range alloc.Placements {
		if p.Region != "" {
			members[p.Region] = append(members[p.Region], byID[p.ApplicantID])
			got[p.ApplicantID] = p.Region
		}
	}
	for i := range applicants {
		a := &applicants[i]
		for _, r := range a.Preferences {
			if got[a.ID] == r {
				break // everything after is worse than what they have
			}
			if seats[r] <= 0 {
				continue
			}
			if len(members[r]) < seats[r] {
				return a.ID, r, true
			}
			for _, m := range members[r] {
				if outranks(a, m) {
					return a.ID, r, true
				}
			}
		}
	}
	return 0, "", false
}

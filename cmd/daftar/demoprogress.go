package main

// The demo seeding reports its progress after each step, weighted by the
// share of the time each took on SQLite (measured: visits about two
// thirds, survey answers a quarter, the rest a few percent). The
// percentages only tell a waiting person how far it is; nothing depends on
// them.
var demoStepWeights = []struct {
	name   string
	weight int
	doing  string // what the step does, for a person waiting on it
}{
	{"offices", 2, "1,200 offices and their owners' accounts"},
	{"candidates", 1, "an exam year of candidates"},
	{"visits", 65, "60 days of visits and their crowding rollups"},
	{"surveys", 26, "survey invitations and answers"},
	{"complaints", 2, "complaints followed as cases"},
	{"licensing", 3, "licensing rounds and licences"},
	{"ranking", 3, "inspections and published rankings"},
}

// demoProgress returns the function each step calls when done; it tells
// report (when set) the percentage of the whole done so far and what is
// being done next ("" at the end). It reports 0% and the first step at once.
func demoProgress(report func(pct int, doing string)) func(step string) {
	total := 0
	for _, s := range demoStepWeights {
		total += s.weight
	}
	if report == nil {
		report = func(int, string) {}
	}
	report(0, demoStepWeights[0].doing)
	done := 0
	return func(step string) {
		next := ""
		for i, s := range demoStepWeights {
			if s.name == step {
				done += s.weight
				if i+1 < len(demoStepWeights) {
					next = demoStepWeights[i+1].doing
				}
			}
		}
		report(min(100, done*100/total), next)
	}
}

package ranking

import "context"

// Version 2 of the directive, in force from 1405/08/01 (2026-10-23). What
// changed from version 1, and why:
//   - waiting is judged against the office's own city (peers_city), not
//     fixed minutes: a city short of offices makes every office there wait
//     long, and that is the licensing side's to fix, not the owner's;
//   - productivity is compared among offices of a similar size (counters);
//   - compliance also reads upheld complaints per 1,000 visits and the
//     corrective actions overdue at the period's end;
//   - the grade cut points follow the new spread of scores.
//
// Version 1 keeps ruling the periods that began before that day.

// DirectiveV2EffectiveFrom is the day version 2 comes into force (Tehran).
const DirectiveV2EffectiveFrom = "2026-10-23"

// DirectiveV2 is version 2 as shipped.
func DirectiveV2() Directive {
	return Directive{
		Version: 2, Name: "دستورالعمل رتبه‌بندی دفاتر خدمات الکترونیک قضائی — نسخه ۲", EffectiveFrom: DirectiveV2EffectiveFrom,
		Criteria: []Criterion{
			{Criterion: CritSatisfaction, Weight: 0.30, Normalisation: NormFixed, Best: 5, Worst: 2},
			{Criterion: CritWaitP90, Weight: 0.15, Normalisation: NormPeersCity},
			{Criterion: CritOverTarget, Weight: 0.10, Normalisation: NormPeersCity},
			{Criterion: CritExtraFee, Weight: 0.15, Normalisation: NormFixed, Best: 0, Worst: 0.2},
			{Criterion: CritProductivity, Weight: 0.10, Normalisation: NormPeersSize},
			{Criterion: CritCompliance, Weight: 0.20, Normalisation: NormFixed, Best: 100, Worst: 40},
		},
		MinResponses: 10,
		PriorWeight:  10,
		Grades:       []Grade{{"A", 80}, {"B", 70}, {"C", 60}, {"D", 0}},
		Penalties: Penalties{Minor: 5, Major: 15, Critical: 40, LicenceSuspended: 50, LookbackMonths: 12,
			UpheldComplaintPer1000: 10, ComplaintVisitsFloor: 100, OverdueCorrectiveAction: 10},
		Peers: &PeerRules{MinCityOffices: 5, CounterBands: []int{2, 4, 6}},
		Rules: []Rule{
			{Criterion: CritSatisfaction,
				Fa: "میانگین رضایت کلی (۱ تا ۵)، با وزن ۱۰ پاسخ برای میانگین کشوری تعدیل‌شده؛ ۲ ← صفر، ۵ ← ۱۰۰.",
				En: "Overall satisfaction (1-5), adjusted toward the national mean with a weight of 10 responses; 2 → 0, 5 → 100."},
			{Criterion: CritWaitP90,
				Fa: "صدک ۹۰ انتظار در برابر دفاتر رتبه‌دار همان شهر (درصد دفاتری که بیشتر منتظر ماندند، برابرها نیم)؛ شهری با کمتر از ۵ دفتر رتبه‌دار با دیگر شهرهای کوچک همان استان مقایسه می‌شود. کمبود دفتر در شهر به حساب دفتر نوشته نمی‌شود.",
				En: "90th percentile wait against the ranked offices of the same city (the share of them whose citizens waited longer, ties half); a city with fewer than 5 ranked offices is pooled with the province's other small cities. A city's shortage of offices is not counted against an office."},
			{Criterion: CritOverTarget,
				Fa: "سهم مراجعانی که بیش از ۳۰ دقیقه منتظر ماندند، در برابر دفاتر همان شهر (همان قاعده صدک ۹۰).",
				En: "Share of citizens who waited over 30 minutes, against the offices of the same city (the same rule as the 90th percentile)."},
			{Criterion: CritExtraFee,
				Fa: "نرخ گزارش دریافت وجه اضافه، با وزن ۱۰ پاسخ به سوی نرخ کشوری تعدیل‌شده؛ ۰٫۲ ← صفر، صفر ← ۱۰۰.",
				En: "Rate of extra-fee reports, smoothed toward the national rate with a weight of 10 responses; 0.2 → 0, 0 → 100."},
			{Criterion: CritProductivity,
				Fa: "مراجعان خدمت‌گرفته در هر باجه‌ساعت، در برابر دفاتر هم‌اندازه: ۱-۲، ۳-۴، ۵-۶ و ۷ باجه و بیشتر.",
				En: "Visits served per counter-hour open, against offices of a similar size: 1-2, 3-4, 5-6, and 7 or more counters."},
			{Criterion: CritCompliance,
				Fa: "۱۰۰ منهای ۵ برای هر تخلف جزئی، ۱۵ برای هر تخلف عمده و ۴۰ برای هر تخلف حاد بازرسی‌های ۱۲ ماه اخیر، ۵۰ اگر پروانه در دوره تعلیق شد، ۱۰ برای هر شکایت واردشده در هر ۱۰۰۰ مراجعه دوره (مراجعات دست‌کم ۱۰۰ شمرده می‌شود) و ۱۰ برای هر اقدام اصلاحی که در پایان دوره از موعدش گذشته است؛ ۴۰ ← صفر، ۱۰۰ ← ۱۰۰.",
				En: "100 minus 5 per minor, 15 per major and 40 per critical finding of the last 12 months' inspections, 50 if the licence was suspended in the period, 10 per upheld complaint per 1,000 visits of the period (visits counted at least 100), and 10 per corrective action overdue at the period's end; 40 → 0, 100 → 100."},
		},
	}
}

// shippedDirectives are the versions Daftar ships, in order.
func shippedDirectives() []Directive { return []Directive{DefaultDirective(), DirectiveV2()} }

// EnsureShippedDirectives stores each shipped version (1 and 2) that is
// not stored yet, known by its name, as the next version: a fresh
// database gets versions 1 and 2; one where an admin already added
// versions of their own keeps them and gets the shipped one after them.
func (s *Service) EnsureShippedDirectives(ctx context.Context) error {
	stored, err := s.Directives(ctx)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, d := range stored {
		have[d.Name] = true
	}
	for _, d := range shippedDirectives() {
		if have[d.Name] {
			continue
		}
		if err := s.addDirective(ctx, d, "system"); err != nil {
			return err
		}
	}
	return nil
}

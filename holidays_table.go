package daftar

// lunarHolidayTable lists the lunar (Hijri) official holidays of Jalali years
// 1405 and 1406, one row per holiday: Jalali date, occasion, the Hijri date
// it marks, and whether the date is still an estimate. It is data: to amend
// a date announced differently, or to add a year, edit the rows (the test
// checks each row against the tabular Islamic calendar, within a day).
//
// Where the dates come from:
//   - The holidays themselves and their Hijri days: the official calendar of
//     1405 (تقویم رسمی کشور) of the Calendar Center of the University of
//     Tehran's Institute of Geophysics, with occasions approved by the Public
//     Culture Council.
//   - The start of each Hijri month: that calendar's month table for 1447-1448
//     (1 Shawwal 1447 = 1 Farvardin 1405 = 21 March 2026; 10 Dhu al-Hijja =
//     6 Khordad; 9 Muharram 1448 = 3 Tir; 1 Shawwal 1448 = 19 Esfand), as
//     collected by the persian-calendar project's Iranian Hijri month
//     lengths, cross-checked against press reports of the 1405 calendar and
//     the arithmetic (tabular) Islamic calendar, which it follows within a day.
//   - 1406 (from Shawwal 1448 on): no official calendar is published yet; the
//     months follow the same project's projection, one day from the tabular
//     calendar at most. Those rows are marked estimated.
//
// Lunar holidays can move by a day: the month begins when the new moon is
// sighted, and the Leader's office announces the start of Shawwal, Dhu
// al-Hijja and Muharram shortly before. Amend the row when that happens.
var lunarHolidayTable = [...]Holiday{
	// 1405 (21 March 2026 - 20 March 2027): from the published calendar.
	lunar(1405, 1, 1, "eid_fitr", 1447, 10, 1, false),
	lunar(1405, 1, 2, "eid_fitr_2", 1447, 10, 2, false),
	lunar(1405, 1, 25, "imam_sadiq", 1447, 10, 25, false),
	lunar(1405, 3, 6, "eid_adha", 1447, 12, 10, false),
	lunar(1405, 3, 14, "eid_ghadir", 1447, 12, 18, false),
	lunar(1405, 4, 3, "tasua", 1448, 1, 9, false),
	lunar(1405, 4, 4, "ashura", 1448, 1, 10, false),
	lunar(1405, 5, 13, "arbaeen", 1448, 2, 20, false),
	lunar(1405, 5, 21, "prophet_death", 1448, 2, 28, false),
	lunar(1405, 5, 22, "imam_reza", 1448, 2, 29, false), // Safar 1448 has 29 days
	lunar(1405, 5, 30, "imam_askari", 1448, 3, 8, false),
	lunar(1405, 6, 8, "mawlid", 1448, 3, 17, false),
	lunar(1405, 8, 22, "fatima", 1448, 6, 3, false),
	lunar(1405, 10, 2, "imam_ali_born", 1448, 7, 13, false),
	lunar(1405, 10, 16, "mabath", 1448, 7, 27, false),
	lunar(1405, 11, 4, "shaban_15", 1448, 8, 15, false),
	lunar(1405, 12, 9, "imam_ali_died", 1448, 9, 21, false),
	lunar(1405, 12, 19, "eid_fitr", 1448, 10, 1, false),
	lunar(1405, 12, 20, "eid_fitr_2", 1448, 10, 2, false),

	// 1406 (21 March 2027 - 19 March 2028): projected, not yet published.
	lunar(1406, 1, 14, "imam_sadiq", 1448, 10, 25, true),
	lunar(1406, 2, 27, "eid_adha", 1448, 12, 10, true),
	lunar(1406, 3, 4, "eid_ghadir", 1448, 12, 18, true),
	lunar(1406, 3, 24, "tasua", 1449, 1, 9, true),
	lunar(1406, 3, 25, "ashura", 1449, 1, 10, true),
	lunar(1406, 5, 3, "arbaeen", 1449, 2, 20, true),
	lunar(1406, 5, 11, "prophet_death", 1449, 2, 28, true),
	lunar(1406, 5, 12, "imam_reza", 1449, 2, 29, true), // Safar 1449 projected at 29 days
	lunar(1406, 5, 20, "imam_askari", 1449, 3, 8, true),
	lunar(1406, 5, 29, "mawlid", 1449, 3, 17, true),
	lunar(1406, 8, 11, "fatima", 1449, 6, 3, true),
	lunar(1406, 9, 21, "imam_ali_born", 1449, 7, 13, true),
	lunar(1406, 10, 5, "mabath", 1449, 7, 27, true),
	lunar(1406, 10, 22, "shaban_15", 1449, 8, 15, true),
	lunar(1406, 11, 28, "imam_ali_died", 1449, 9, 21, true),
	lunar(1406, 12, 8, "eid_fitr", 1449, 10, 1, true),
	lunar(1406, 12, 9, "eid_fitr_2", 1449, 10, 2, true),
}

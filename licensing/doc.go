// Package licensing is where new offices come from: the intake of the
// licensing exam's result files (exams*.go), the candidates they create and
// their document review (candidates.go), the demand model that says where
// offices are needed (demand.go), licensing rounds with their quotas and
// allocation (rounds*.go, allocate.go), and licences: issuing and the
// lifecycle that opens, suspends and closes their offices in geo/offices
// (licences*.go).
//
// It never imports excelize or gin: uploaded spreadsheets arrive as a
// RowSource (CSV here, XLSX from package reports through an XLSXOpener).
package licensing

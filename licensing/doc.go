// Package licensing is where new offices come from: the intake of the
// licensing exam's result files (exams.go), the candidates they create and
// their document review (candidates.go), and, later, licensing rounds,
// quotas, allocation and licences.
//
// It never imports excelize or gin: uploaded spreadsheets arrive as a
// RowSource (CSV here, XLSX from package reports through an XLSXOpener).
package licensing

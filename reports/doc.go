// Package reports is the only package that knows excelize: it writes Daftar's
// spreadsheets (rejections.xlsx and the Excel reports) and reads uploaded
// XLSX workbooks as a stream of rows for the domain packages.
package reports

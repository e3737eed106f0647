// Package reports is the only package that knows excelize. It builds the
// report tables behind GET /api/v1/reports/{kind} from the domain services
// (kinds.go; licensing_kinds.go for licences, allocations and demand) and
// writes them as Excel or CSV, Persian or English (table.go); it writes
// rejections.xlsx, an exam import's refused rows ready to fix and upload
// again (rejections.go); and it reads uploaded XLSX workbooks as a stream
// of rows for licensing's exam intake, within set limits (xlsxrows.go).
package reports

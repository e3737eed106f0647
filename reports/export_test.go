package reports

// SetXLSXMaxRows sets the rows of a sheet for a test, restored after.
func SetXLSXMaxRows(n int) (restore func()) {
	old := xlsxMaxRows
	xlsxMaxRows = n
	return func() { xlsxMaxRows = old }
}

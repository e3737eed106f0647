package reports

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/licensing"
	"github.com/xuri/excelize/v2"
)

// XLSXLimits bound what reading one uploaded workbook may cost.
type XLSXLimits struct {
	// UnzipSize is the most the workbook's parts may unpack to, in total
	// (default 512 MiB). excelize's own default is about 16 GB, which would
	// let a zip bomb fill the disk; a bomb declares its size in the zip
	// directory and is refused before anything is inflated.
	UnzipSize int64
	// InMemory is the size above which a sheet or the shared strings are
	// unpacked to a temporary file instead of memory (default 16 MiB).
	InMemory int64
	// TmpDir holds those temporary files ("" : the system's).
	TmpDir string
}

func (l XLSXLimits) withDefaults() XLSXLimits {
	if l.UnzipSize <= 0 {
		l.UnzipSize = 512 << 20
	}
	if l.InMemory <= 0 {
		l.InMemory = 16 << 20
	}
	if l.InMemory > l.UnzipSize {
		l.InMemory = l.UnzipSize
	}
	return l
}

func unprocessable(code, msg string) *daftar.Error {
	return daftar.Unprocessable(code, msg, daftar.Field("file", code, msg))
}

// XLSXRows returns the opener licensing uses for XLSX uploads: the named
// sheet (the first when none is named), streamed row by row with excelize's
// row iterator, cells as stored (not as displayed: a national code kept as a
// number reads 12345678, never 1.23E+07).
func XLSXRows(lim XLSXLimits) licensing.XLSXOpener {
	lim = lim.withDefaults()
	return func(r io.ReaderAt, size int64, sheet string) (licensing.RowSource, error) {
		return openXLSX(r, size, sheet, lim)
	}
}

func openXLSX(r io.ReaderAt, size int64, sheet string, lim XLSXLimits) (src licensing.RowSource, err error) {
	f, err := excelize.OpenReader(io.NewSectionReader(r, 0, size), excelize.Options{
		UnzipSizeLimit: lim.UnzipSize, UnzipXMLSizeLimit: lim.InMemory, TmpDir: lim.TmpDir})
	if err != nil {
		if f != nil {
			f.Close()
		}
		return nil, openError(err, lim)
	}
	defer func() {
		if err != nil {
			f.Close()
		}
	}()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, unprocessable("unreadable_xlsx", "the file is a zip archive but not an Excel workbook")
	}
	name := sheets[0]
	if sheet != "" {
		name = ""
		for _, s := range sheets {
			if s == sheet || daftar.FoldForMatch(s) == daftar.FoldForMatch(sheet) {
				name = s
				break
			}
		}
		if name == "" {
			return nil, unprocessable("sheet_not_found", fmt.Sprintf("the workbook has no sheet %q; its sheets are: %s",
				sheet, strings.Join(sheets, ", ")))
		}
	}
	rows, err := f.Rows(name)
	if err != nil {
		return nil, openError(err, lim)
	}
	return &xlsxSource{f: f, rows: rows, name: name}, nil
}

// openError tells a damaged or oversized workbook (422) from a failure of
// the server itself.
func openError(err error, lim XLSXLimits) error {
	var pe *fs.PathError
	msg := err.Error()
	switch {
	case strings.Contains(msg, "unzip size exceeds"):
		return unprocessable("xlsx_too_large", fmt.Sprintf(
			"the workbook unpacks to more than %d MiB (it may be a zip bomb); split it or upload CSV", lim.UnzipSize>>20))
	case errors.Is(err, excelize.ErrWorkbookFileFormat), errors.Is(err, excelize.ErrWorkbookPassword):
		return unprocessable("unreadable_xlsx", "the workbook is password-protected or not in a format Daftar reads; save it as .xlsx without a password")
	case errors.As(err, &pe) && !errors.Is(err, zip.ErrFormat):
		return fmt.Errorf("reports: reading the workbook: %w", err)
	}
	e := unprocessable("unreadable_xlsx", "the workbook is damaged or incomplete (was the upload cut short?); save it again from Excel")
	e.Err = err
	return e
}

// xlsxSource is a licensing.RowSource over one sheet.
type xlsxSource struct {
	f    *excelize.File
	rows *excelize.Rows
	name string
	row  []string
	err  error
}

var rawCells = excelize.Options{RawCellValue: true}

func (s *xlsxSource) Next() bool {
	if s.err != nil {
		return false
	}
	if !s.rows.Next() {
		if err := s.rows.Error(); err != nil {
			s.err = readError(err)
		}
		return false
	}
	row, err := s.rows.Columns(rawCells)
	if err != nil {
		s.err = readError(err)
		return false
	}
	s.row = row
	return true
}

func readError(err error) error {
	e := unprocessable("unreadable_xlsx", "the sheet could not be read: the workbook is damaged")
	e.Err = err
	return e
}

func (s *xlsxSource) Row() []string { return s.row }
func (s *xlsxSource) Err() error    { return s.err }

// Close removes the temporary files excelize made.
func (s *xlsxSource) Close() error {
	s.rows.Close()
	return s.f.Close()
}

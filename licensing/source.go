package licensing

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/daftar-ir/daftar"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// RowSource is a spreadsheet read one row at a time: the uploaded file is
// never held as a whole in rows. Row returns the current row's cells; the
// slice is only valid until the next call to Next. Implementations: OpenCSV
// here, and the XLSX reader of package reports (the only package that knows
// excelize), which the application passes in as an XLSXOpener.
type RowSource interface {
	Next() bool
	Row() []string
	Err() error
	Close() error
}

// XLSXOpener opens the named sheet (the first when sheet is "") of an XLSX
// workbook as a RowSource. It must refuse a workbook that unpacks beyond its
// limits, and return *daftar.Error (unprocessable) for a file it cannot read.
type XLSXOpener func(r io.ReaderAt, size int64, sheet string) (RowSource, error)

// Format is the kind of an uploaded file.
type Format string

const (
	FormatCSV  Format = "csv"
	FormatXLSX Format = "xlsx"
)

// CSV text encodings detected.
const (
	EncodingUTF8        = "utf-8"
	EncodingUTF8BOM     = "utf-8-bom"
	EncodingUTF16LE     = "utf-16le"
	EncodingUTF16BE     = "utf-16be"
	EncodingWindows1256 = "windows-1256"
)

// content is what one pass over the upload learns before any parsing.
type content struct {
	size      int64
	sha256    string
	validUTF8 bool
	head      []byte // the first bytes, for sniffing
}

const headSize = 8 << 10

// scanContent reads the upload once: its SHA-256 (the idempotency key),
// whether it is valid UTF-8 throughout, and its first bytes.
func scanContent(ctx context.Context, r io.ReaderAt, size int64) (content, error) {
	c := content{size: size, validUTF8: true}
	h := sha256.New()
	buf := make([]byte, 256<<10)
	var carry []byte // an incomplete UTF-8 sequence at the end of a chunk
	for off := int64(0); off < size; {
		if err := ctx.Err(); err != nil {
			return c, err
		}
		n, err := r.ReadAt(buf[:min(int64(len(buf)), size-off)], off)
		if n > 0 {
			chunk := buf[:n]
			h.Write(chunk)
			if off == 0 {
				c.head = append([]byte(nil), chunk[:min(n, headSize)]...)
			}
			if c.validUTF8 {
				if len(carry) > 0 {
					chunk = append(carry, chunk...)
				}
				// Keep back a rune cut at the end of the chunk.
				cut := len(chunk)
				for i := len(chunk) - 1; i >= 0 && i >= len(chunk)-utf8.UTFMax; i-- {
					if utf8.RuneStart(chunk[i]) {
						if !utf8.FullRune(chunk[i:]) {
							cut = i
						}
						break
					}
				}
				c.validUTF8 = utf8.Valid(chunk[:cut])
				carry = append(carry[:0], chunk[cut:]...)
			}
			off += int64(n)
		}
		if err != nil && !(errors.Is(err, io.EOF) && off >= size) {
			return c, fmt.Errorf("licensing: read upload: %w", err)
		}
		if n == 0 && err == nil {
			return c, io.ErrUnexpectedEOF
		}
	}
	if len(carry) > 0 {
		c.validUTF8 = false
	}
	c.sha256 = hex.EncodeToString(h.Sum(nil))
	return c, nil
}

// unreadable is the 422 for a file that is not a spreadsheet Daftar reads.
func unreadable(code, en string) *daftar.Error {
	return daftar.Unprocessable(code, en, daftar.Field("file", code, en))
}

// sniff decides the format from the first bytes: XLSX is a zip archive;
// known binary formats are refused by name; anything else is read as CSV.
func sniff(head []byte) (Format, error) {
	switch {
	case len(head) == 0:
		return "", unreadable("empty_file", "the file is empty")
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return FormatXLSX, nil
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		return "", unreadable("xls_not_supported",
			"the file is an old-format .xls or a password-protected workbook; save it as .xlsx (without a password) or CSV")
	case bytes.HasPrefix(head, []byte("%PDF")):
		return "", unreadable("not_a_spreadsheet", "the file is a PDF document, not a spreadsheet")
	case bytes.HasPrefix(head, []byte("\x89PNG")), bytes.HasPrefix(head, []byte("\xFF\xD8\xFF")),
		bytes.HasPrefix(head, []byte("GIF8")):
		return "", unreadable("not_a_spreadsheet", "the file is an image, not a spreadsheet")
	case bytes.HasPrefix(head, []byte{0x1F, 0x8B}), bytes.HasPrefix(head, []byte("Rar!")),
		bytes.HasPrefix(head, []byte("7z\xBC\xAF")):
		return "", unreadable("not_a_spreadsheet", "the file is a compressed archive, not a spreadsheet")
	}
	t := bytes.ToLower(bytes.TrimSpace(bytes.TrimPrefix(head, []byte("\xEF\xBB\xBF"))))
	for _, tag := range []string{"<!doctype html", "<html", "<table", "<?xml"} {
		if bytes.HasPrefix(t, []byte(tag)) {
			return "", unreadable("not_a_spreadsheet",
				"the file is a web page or XML, not a spreadsheet; open it in Excel and save it as .xlsx")
		}
	}
	return FormatCSV, nil
}

// detectEncoding names the text encoding of a CSV file: a byte-order mark
// decides UTF-8 or UTF-16; UTF-16 without one is recognised by its zero
// bytes; otherwise UTF-8 when the whole file is valid UTF-8, else
// Windows-1256 (Arabic Windows, what older Persian Excel writes).
func detectEncoding(c content) string {
	h := c.head
	switch {
	case bytes.HasPrefix(h, []byte{0xEF, 0xBB, 0xBF}):
		return EncodingUTF8BOM
	case bytes.HasPrefix(h, []byte{0xFF, 0xFE}):
		return EncodingUTF16LE
	case bytes.HasPrefix(h, []byte{0xFE, 0xFF}):
		return EncodingUTF16BE
	}
	if len(h) >= 4 {
		even, odd := 0, 0
		n := min(len(h), 1024) &^ 1
		for i := 0; i < n; i += 2 {
			if h[i] == 0 {
				even++
			}
			if h[i+1] == 0 {
				odd++
			}
		}
		pairs := n / 2
		switch {
		case odd*3 > pairs && even*10 < pairs:
			return EncodingUTF16LE
		case even*3 > pairs && odd*10 < pairs:
			return EncodingUTF16BE
		}
	}
	if c.validUTF8 {
		return EncodingUTF8
	}
	return EncodingWindows1256
}

// decoder returns r decoded to UTF-8 (any byte-order mark removed).
func decoder(r io.Reader, enc string) io.Reader {
	switch enc {
	case EncodingUTF8BOM:
		br := bufio.NewReaderSize(r, 64<<10)
		if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
			br.Discard(3)
		}
		return br
	case EncodingUTF16LE:
		return transform.NewReader(r, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder())
	case EncodingUTF16BE:
		return transform.NewReader(r, unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewDecoder())
	case EncodingWindows1256:
		return transform.NewReader(r, charmap.Windows1256.NewDecoder())
	}
	return r
}

// csvSource reads CSV records with encoding/csv: any number of fields per
// record, lazy quotes (Excel's exports are not always strict), the
// delimiter detected from the first line (',' ';' or tab).
type csvSource struct {
	r       *csv.Reader
	row     []string
	err     error
	number  int // the current record's row number as a spreadsheet shows it
	endLine int // the line the previous record ended on
}

// rowNumberer is a RowSource that knows the spreadsheet row number of the
// current row (CSV: blank lines, which encoding/csv skips, still count as
// rows, as they do when Excel opens the file).
type rowNumberer interface{ RowNumber() int }

// OpenCSV reads CSV text in the named encoding (see detectEncoding).
func OpenCSV(r io.Reader, encoding string) (RowSource, error) {
	br := bufio.NewReaderSize(decoder(r, encoding), 64<<10)
	comma, err := detectDelimiter(br)
	if err != nil {
		return nil, err
	}
	cr := csv.NewReader(br)
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	return &csvSource{r: cr}, nil
}

// detectDelimiter counts the candidate delimiters outside quotes in the
// first line.
func detectDelimiter(br *bufio.Reader) (rune, error) {
	head, err := br.Peek(br.Size())
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return 0, unreadable("unreadable_text", "the file's text could not be decoded")
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return 0, unreadable("not_a_spreadsheet", "the file holds binary data, not CSV text")
	}
	control := 0
	for _, b := range head {
		if b < 0x20 && b != '\t' && b != '\r' && b != '\n' {
			control++
		}
	}
	if control > len(head)/100 {
		return 0, unreadable("not_a_spreadsheet", "the file holds binary data, not CSV text")
	}
	counts := map[byte]int{}
	quoted := false
	for _, b := range head {
		if b == '"' {
			quoted = !quoted
			continue
		}
		if quoted {
			continue
		}
		if b == '\n' {
			break
		}
		if b == ',' || b == ';' || b == '\t' {
			counts[b]++
		}
	}
	comma := byte(',')
	for _, c := range []byte{';', '\t'} {
		if counts[c] > counts[comma] {
			comma = c
		}
	}
	return rune(comma), nil
}

func (s *csvSource) Next() bool {
	if s.err != nil {
		return false
	}
	row, err := s.r.Read()
	if err != nil {
		if !errors.Is(err, io.EOF) {
			line, _ := s.r.FieldPos(0)
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			s.err = unreadable("unreadable_csv", fmt.Sprintf("the CSV could not be read at line %d", line))
		} else {
			s.err = io.EOF
		}
		return false
	}
	s.row = row
	start, _ := s.r.FieldPos(0)
	s.number += 1 + max(0, start-s.endLine-1)
	last := len(row) - 1
	end, _ := s.r.FieldPos(last)
	s.endLine = end + strings.Count(row[last], "\n")
	return true
}

func (s *csvSource) Row() []string { return s.row }

func (s *csvSource) RowNumber() int { return s.number }

func (s *csvSource) Err() error {
	if errors.Is(s.err, io.EOF) {
		return nil
	}
	return s.err
}

func (s *csvSource) Close() error { return nil }

// safeNext advances src, turning a panic of the parser (a malformed file can
// make a third-party parser panic) into an error.
func safeNext(src RowSource) (ok bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			e := unreadable("unreadable_file", "the file could not be read: it is damaged or not a spreadsheet")
			e.Err = fmt.Errorf("panic while parsing: %v", r)
			ok, err = false, e
		}
	}()
	if src.Next() {
		return true, nil
	}
	return false, src.Err()
}

package mapping

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// LoadCSV reads a string→string table from CSV, so operations staff can keep
// status, tax-code, payment-method, carrier-service and location maps in a
// spreadsheet and change them without a deploy.
//
// The first row is a header; the first column holds the keys and the second
// the values (the header names are free, such as "shopify,bc"). Further
// columns are ignored, so a "note" column may explain each row. Every row must
// have as many cells as the header. Cells are trimmed of surrounding spaces,
// blank lines and lines starting with # are skipped, and a UTF-8 byte-order
// mark (as Excel writes) is ignored.
//
// An empty key, an empty value, a key given twice, a row with the wrong
// number of cells and text that is not UTF-8 are errors. The error is a
// *LoadError that names the table and lists every problem with its line
// number; a malformed CSV (a stray quote) stops the load at that line.
func LoadCSV(name string, r io.Reader) (*Table[string, string], error) {
	return loadCSV(name, r, "", "")
}

// LoadCSVColumns is LoadCSV for a sheet that holds several maps side by side:
// keys come from the column headed keyColumn and values from the column
// headed valueColumn (header names match case-insensitively). The rules of
// LoadCSV apply.
func LoadCSVColumns(name string, r io.Reader, keyColumn, valueColumn string) (*Table[string, string], error) {
	if keyColumn == "" || valueColumn == "" {
		return nil, &LoadError{Table: name, Problems: []LineProblem{{Line: 1, Msg: "key and value column names are required"}}}
	}
	return loadCSV(name, r, keyColumn, valueColumn)
}

func loadCSV(name string, r io.Reader, keyColumn, valueColumn string) (*Table[string, string], error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.ReuseRecord = true
	le := &LoadError{Table: name}

	header, err := cr.Read()
	if err == io.EOF {
		le.add(1, "no header row")
		return nil, le
	}
	if err != nil {
		le.add(csvLine(err, 1), csvMsg(err))
		return nil, le
	}
	header = append([]string(nil), header...)
	header[0] = strings.TrimPrefix(header[0], "\uFEFF")
	hline, _ := cr.FieldPos(0)
	ki, vi := 0, 1
	if keyColumn != "" {
		ki, vi = column(header, keyColumn), column(header, valueColumn)
		if ki < 0 {
			le.add(hline, "no column headed "+quote(keyColumn))
		}
		if vi < 0 {
			le.add(hline, "no column headed "+quote(valueColumn))
		}
		if ki >= 0 && ki == vi {
			le.add(hline, "key and value are the same column")
		}
	} else if len(header) < 2 {
		le.add(hline, "header has "+strconv.Itoa(len(header))+" column, want at least 2 (key, value)")
	}
	if len(le.Problems) > 0 {
		return nil, le
	}

	m := make(map[string]string)
	first := make(map[string]int)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount) {
				le.add(pe.StartLine, fmt.Sprintf("%d cells, want %d as in the header", len(rec), len(header)))
				continue
			}
			le.add(csvLine(err, 0), csvMsg(err))
			break
		}
		line, _ := cr.FieldPos(ki)
		k, v := strings.TrimSpace(rec[ki]), strings.TrimSpace(rec[vi])
		switch {
		case !utf8.ValidString(k) || !utf8.ValidString(v):
			le.add(line, "text is not UTF-8 (save the sheet as \"CSV UTF-8\")")
		case k == "":
			le.add(line, "empty key")
		case v == "":
			le.add(line, "empty value for key "+quote(k))
		default:
			if at, dup := first[k]; dup {
				le.add(line, "duplicate key "+quote(k)+" (first on line "+strconv.Itoa(at)+")")
				continue
			}
			first[k] = line
			m[k] = v
		}
	}
	if len(le.Problems) > 0 {
		return nil, le
	}
	return &Table[string, string]{name: name, m: m}, nil
}

// column returns the index of the header cell named name, or -1.
func column(header []string, name string) int {
	for i, h := range header {
		if strings.EqualFold(strings.TrimSpace(h), name) {
			return i
		}
	}
	return -1
}

func csvLine(err error, def int) int {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Line
	}
	return def
}

func csvMsg(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return "malformed CSV: " + pe.Err.Error()
	}
	return "read: " + err.Error()
}

// LoadJSON reads a table from a JSON object whose members are the entries:
// {"paid": "PAID", "pending": "OPEN"}. V may be any type JSON decodes into,
// such as string, int or a struct. A key given twice (which encoding/json
// would silently accept), an empty key, or a value that does not decode into
// V is an error; the *LoadError names the table and each problem's line.
func LoadJSON[V any](name string, r io.Reader) (*Table[string, V], error) {
	data, err := io.ReadAll(r)
	le := &LoadError{Table: name}
	if err != nil {
		le.add(0, "read: "+err.Error())
		return nil, le
	}
	lineAt := func(off int64) int {
		if off > int64(len(data)) {
			off = int64(len(data))
		}
		return bytes.Count(data[:off], []byte{'\n'}) + 1
	}
	fail := func(err error, off int64) (*Table[string, V], error) {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			off = se.Offset
		}
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		le.add(lineAt(off), "malformed JSON: "+err.Error())
		return nil, le
	}

	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return fail(err, dec.InputOffset())
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		le.add(lineAt(dec.InputOffset()), "want a JSON object of key: value members")
		return nil, le
	}
	m := make(map[string]V)
	first := make(map[string]int)
	for dec.More() {
		off := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return fail(err, off)
		}
		k, _ := tok.(string) // inside an object the decoder only yields string keys
		line := lineAt(skipSpace(data, off))
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return fail(err, dec.InputOffset())
		}
		var v V
		if err := json.Unmarshal(raw, &v); err != nil {
			le.add(line, "value for key "+quote(k)+": "+err.Error())
			continue
		}
		switch at, dup := first[k]; {
		case strings.TrimSpace(k) == "":
			le.add(line, "empty key")
		case dup:
			le.add(line, "duplicate key "+quote(k)+" (first on line "+strconv.Itoa(at)+")")
		default:
			first[k] = line
			m[k] = v
		}
	}
	if _, err := dec.Token(); err != nil {
		return fail(err, dec.InputOffset())
	}
	if _, err := dec.Token(); err != io.EOF {
		le.add(lineAt(dec.InputOffset()), "unexpected data after the JSON object")
	}
	if len(le.Problems) > 0 {
		return nil, le
	}
	return &Table[string, V]{name: name, m: m}, nil
}

// skipSpace returns the offset of the first byte at or after off that is not
// JSON white space or a comma, so a key's line is the line it starts on.
func skipSpace(data []byte, off int64) int64 {
	for off < int64(len(data)) {
		switch data[off] {
		case ' ', '\t', '\r', '\n', ',':
			off++
		default:
			return off
		}
	}
	return off
}

// LoadError lists the problems found while loading a table, each with its
// line number (1-based; 0 when no line applies).
type LoadError struct {
	Table    string
	Problems []LineProblem
}

// LineProblem is one problem on one line of a table file.
type LineProblem struct {
	Line int
	Msg  string
}

func (e *LoadError) add(line int, msg string) {
	e.Problems = append(e.Problems, LineProblem{Line: line, Msg: msg})
}

// maxListed caps the problems LoadError.Error spells out; Problems holds all.
const maxListed = 10

// Error names the table and lists the first problems with their lines.
func (e *LoadError) Error() string {
	var b strings.Builder
	b.WriteString("mapping: load table ")
	b.WriteString(quote(e.Table))
	b.WriteString(": ")
	for i, p := range e.Problems {
		if i == maxListed {
			fmt.Fprintf(&b, "; and %d more", len(e.Problems)-maxListed)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		if p.Line > 0 {
			b.WriteString("line ")
			b.WriteString(strconv.Itoa(p.Line))
			b.WriteString(": ")
		}
		b.WriteString(p.Msg)
	}
	return b.String()
}

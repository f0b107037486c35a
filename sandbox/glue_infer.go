package sandbox

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"
)

// Column type candidates, from the most to the least specific.
const (
	typBigint = 1 << iota
	typDouble
	typDate
	typBoolean
	typAll = typBigint | typDouble | typDate | typBoolean
)

// inferCSVSchema reads the header of the first file for the column names and infers each
// column's type from the values of every file: bigint, double, date (yyyy-mm-dd), boolean, else
// string. Column names are lower-cased, as the crawler does.
func inferCSVSchema(files []string) ([]GlueColumn, error) {
	var names []string
	var cands []int
	for i, path := range files {
		onHeader := func(h []string) {
			if i == 0 {
				names = h
				cands = make([]int, len(h))
				for j := range cands {
					cands[j] = typAll
				}
			}
		}
		onRow := func(rec []string) {
			for j := range cands {
				if j < len(rec) && rec[j] != "" {
					cands[j] &= valueTypes(rec[j])
				}
			}
		}
		if err := scanCSV(path, onHeader, onRow); err != nil {
			return nil, err
		}
	}
	cols := make([]GlueColumn, len(names))
	for j, n := range names {
		cols[j] = GlueColumn{Name: glueTableName(n), Type: typeName(cands[j])}
	}
	return cols, nil
}

// scanCSV calls onHeader with the first record of a CSV file and onRow with every other one.
func scanCSV(path string, onHeader, onRow func([]string)) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	onHeader(append([]string(nil), header...))
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
		onRow(rec)
	}
}

// valueTypes is the set of types a single value fits.
func valueTypes(v string) int {
	t := 0
	if _, err := strconv.ParseInt(v, 10, 64); err == nil {
		t |= typBigint | typDouble
	} else if _, err := strconv.ParseFloat(v, 64); err == nil {
		t |= typDouble
	}
	if len(v) == 10 {
		if _, err := time.Parse("2006-01-02", v); err == nil {
			t |= typDate
		}
	}
	if v == "true" || v == "false" || v == "TRUE" || v == "FALSE" || v == "True" || v == "False" {
		t |= typBoolean
	}
	return t
}

// typeName picks the most specific type left; a column with no values is a string.
func typeName(c int) string {
	switch {
	case c == typAll:
		return "string"
	case c&typBigint != 0:
		return "bigint"
	case c&typDouble != 0:
		return "double"
	case c&typDate != 0:
		return "date"
	case c&typBoolean != 0:
		return "boolean"
	}
	return "string"
}

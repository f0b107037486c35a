package main

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCommittedDataIsGenerated(t *testing.T) {
	var buf bytes.Buffer
	if err := writeOrders(&buf, 1000); err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile(filepath.Join("..", "..", filepath.FromSlash(dataPath)))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), committed) {
		t.Fatalf("%s differs from what the generator writes; run go run ./examples/gen", dataPath)
	}
}

func TestWriteOrders(t *testing.T) {
	tests := []struct {
		name string
		n    int
	}{
		{name: "one", n: 1},
		{name: "thousand", n: 1000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a, b bytes.Buffer
			if err := writeOrders(&a, tt.n); err != nil {
				t.Fatal(err)
			}
			if err := writeOrders(&b, tt.n); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Fatal("two runs gave different bytes")
			}
			recs, err := csv.NewReader(&a).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != tt.n+1 {
				t.Fatalf("got %d records, want %d rows plus the header", len(recs), tt.n)
			}
			if got := strings.Join(recs[0], ","); got != "order_id,customer_id,order_date,product,quantity,unit_price,region" {
				t.Fatalf("header = %q", got)
			}
			seen := map[string]bool{}
			for _, r := range recs[1:] {
				if seen[r[0]] {
					t.Fatalf("duplicate order id %s", r[0])
				}
				seen[r[0]] = true
				if !strings.HasPrefix(r[2], "2025-") {
					t.Fatalf("order %s dated %s, want 2025", r[0], r[2])
				}
				if !strings.Contains(r[5], ".") {
					t.Fatalf("unit price %q has no decimals (the crawler would infer bigint)", r[5])
				}
			}
			if recs[1][0] != "ORD-000001" {
				t.Fatalf("first order id %q, want ORD-000001", recs[1][0])
			}
		})
	}
}

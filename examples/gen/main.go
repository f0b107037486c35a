package main

//go:generate go run .

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/dzonboard/dzonboard/internal/repo"
)

// dataPath is the generated file, relative to the repository root.
const dataPath = "examples/data/acme-sales-data/sales/orders/orders.csv"

func main() {
	out := flag.String("out", "", "file to write (default: "+dataPath+" in this repository)")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	if out == "" {
		root, err := repo.Root()
		if err != nil {
			return err
		}
		out = filepath.Join(root, filepath.FromSlash(dataPath))
	}
	var buf bytes.Buffer
	if err := writeOrders(&buf, 1000); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return fmt.Errorf("create %s: %w", filepath.Dir(out), err)
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	fmt.Fprintf(os.Stderr, "wrote %s (%d bytes)\n", out, buf.Len())
	return nil
}

package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"time"
)

// product is a catalogue item with its list price.
type product struct {
	name  string
	price float64
}

var products = []product{
	{"Espresso Machine", 249.00},
	{"Coffee Grinder", 89.50},
	{"French Press", 34.99},
	{"Pour-Over Kettle", 59.00},
	{"Milk Frother", 24.75},
	{"Travel Mug", 18.00},
	{"Coffee Beans 1kg", 27.40},
	{"Descaling Kit", 12.95},
}

var regions = []string{"North America", "Europe", "Asia Pacific", "Latin America", "Middle East"}

// writeOrders writes n orders as CSV with a header row. The same n always gives the same bytes.
func writeOrders(w io.Writer, n int) error {
	rng := rand.New(rand.NewPCG(20250101, 42))
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"order_id", "customer_id", "order_date", "product", "quantity", "unit_price", "region"}); err != nil {
		return fmt.Errorf("write header: %w", err)
	}
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 1; i <= n; i++ {
		p := products[rng.IntN(len(products))]
		// Prices vary a little around the list price (discounts and promotions).
		price := p.price * (0.85 + 0.15*rng.Float64())
		day := start.AddDate(0, 0, (i-1)*365/n+rng.IntN(2))
		if day.Year() != 2025 {
			day = time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)
		}
		rec := []string{
			fmt.Sprintf("ORD-%06d", i),
			fmt.Sprintf("CUST-%04d", 1+rng.IntN(250)),
			day.Format("2006-01-02"),
			p.name,
			strconv.Itoa(1 + rng.IntN(5) + rng.IntN(2)*rng.IntN(6)),
			strconv.FormatFloat(price, 'f', 2, 64),
			regions[rng.IntN(len(regions))],
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("write order %d: %w", i, err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write orders: %w", err)
	}
	return nil
}

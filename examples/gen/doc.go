// Command gen writes the sandbox's sample data, examples/data/acme-sales-data/sales/orders/orders.csv:
// 1,000 orders generated deterministically, so the committed file never changes unless this
// program does.
//
// Usage, from anywhere in the repository:
//
//	go run ./examples/gen [-out FILE]
//
// or `go generate ./examples/...`.
package main

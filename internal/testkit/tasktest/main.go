package tasktest

import (
	"log/slog"
	"os"
	"testing"
)

// Main runs a package's tests with the tasks' logs kept out of the test output (tests that assert
// on logs install their own handler), and exits with their result:
//
//	func TestMain(m *testing.M) { tasktest.Main(m) }
func Main(m *testing.M) {
	slog.SetDefault(slog.New(slog.DiscardHandler))
	os.Exit(m.Run())
}

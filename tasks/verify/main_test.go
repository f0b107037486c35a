package verify_test

import (
	"log/slog"
	"os"
	"testing"
)

// TestMain keeps the tasks' logs out of the test output; tests that assert on logs install
// their own handler.
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.DiscardHandler))
	os.Exit(m.Run())
}

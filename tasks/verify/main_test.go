package verify_test

import (
	"testing"

	"github.com/dzonboard/dzonboard/internal/testkit/tasktest"
)

// TestMain keeps the tasks' logs out of the test output; tests that assert on logs install
// their own handler.
func TestMain(m *testing.M) { tasktest.Main(m) }

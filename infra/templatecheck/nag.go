package templatecheck

import (
	"bytes"
	"encoding/csv"
	"fmt"
)

// NagFindings reads a cdk-nag report (the <pack>-<stack>-NagReport.csv that a synth with the
// AwsSolutions checks writes next to the template) and returns each finding that is neither
// compliant nor suppressed ("rule at resource"), and how many were suppressed.
func NagFindings(report []byte) (unsuppressed []string, suppressed int, err error) {
	rows, err := csv.NewReader(bytes.NewReader(report)).ReadAll()
	if err != nil {
		return nil, 0, fmt.Errorf("read cdk-nag report: %w", err)
	}
	if len(rows) == 0 || len(rows[0]) < 3 || rows[0][0] != "Rule ID" || rows[0][2] != "Compliance" {
		return nil, 0, fmt.Errorf("read cdk-nag report: not a NagReport (header %v)", rows[:min(len(rows), 1)])
	}
	for _, r := range rows[1:] {
		switch r[2] {
		case "Compliant":
		case "Suppressed":
			suppressed++
		default:
			unsuppressed = append(unsuppressed, fmt.Sprintf("%s (%s) at %s", r[0], r[2], r[1]))
		}
	}
	return unsuppressed, suppressed, nil
}

package templatecheck

import (
	"slices"
	"strings"
	"testing"
)

func TestNagFindings(t *testing.T) {
	const header = "Rule ID,Resource ID,Compliance,Exception Reason,Rule Level,Rule Info\n"
	tests := []struct {
		name           string
		report         string
		wantFindings   []string
		wantSuppressed int
		wantErr        string
	}{
		{
			name: "compliant and suppressed rows are no findings",
			report: header +
				`"AwsSolutions-IAM4","Dzonboard/GlueRole/Resource","Compliant","N/A","Error","managed policies"` + "\n" +
				`"AwsSolutions-IAM5","Dzonboard/GlueRole/DefaultPolicy/Resource","Suppressed","[Resource::*] no resource types","Error","wildcards"` + "\n",
			wantSuppressed: 1,
		},
		{
			name: "a non-compliant row is a finding",
			report: header +
				`"AwsSolutions-SQS3","Dzonboard/ScheduleDeadLetterQueue/Resource","Non-Compliant","N/A","Error","no DLQ"` + "\n",
			wantFindings: []string{"AwsSolutions-SQS3 (Non-Compliant) at Dzonboard/ScheduleDeadLetterQueue/Resource"},
		},
		{name: "not a report", report: "a,b\n", wantErr: "not a NagReport"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, suppressed, err := NagFindings([]byte(tt.report))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.wantFindings) || suppressed != tt.wantSuppressed {
				t.Errorf("findings %q, %d suppressed; want %q, %d", got, suppressed, tt.wantFindings, tt.wantSuppressed)
			}
		})
	}
}

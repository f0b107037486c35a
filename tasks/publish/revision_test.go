package publish

import "testing"

func TestOlder(t *testing.T) {
	tests := []struct {
		name            string
		listed, current string
		want            bool
	}{
		{name: "same revision is current", listed: "2", current: "2", want: false},
		{name: "a lower revision is older", listed: "2", current: "10", want: true},
		{name: "a higher revision is not older", listed: "3", current: "2", want: false},
		{name: "no listed revision is older", listed: "", current: "1", want: true},
		{name: "non-numeric revisions compare by equality", listed: "a1", current: "a1", want: false},
		{name: "different non-numeric revisions are older", listed: "a1", current: "b2", want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := older(tt.listed, tt.current); got != tt.want {
				t.Errorf("older(%q, %q) = %v, want %v", tt.listed, tt.current, got, tt.want)
			}
		})
	}
}

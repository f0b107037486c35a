package verify

import "testing"

func TestPropagating(t *testing.T) {
	tests := []struct {
		name, reason string
		want         bool
	}{
		{name: "lake formation", want: true,
			reason: "Insufficient Lake Formation permission(s) on orders (Service: AmazonDataCatalog; Status Code: 400; Error Code: AccessDeniedException)"},
		{name: "s3 list bucket not authorized", want: true,
			reason: `Access denied when reading s3://acme-sales-data/sales/: User: arn:aws:sts::123456789012:assumed-role/r/s is not authorized to perform: s3:ListBucket on resource: "arn:aws:s3:::acme-sales-data"`},
		{name: "s3 access denied opening a split", want: true,
			reason: "HIVE_CANNOT_OPEN_SPLIT: Error opening Hive split s3://acme-sales-data/sales/orders/orders.csv: Access Denied (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied)"},
		{name: "permission denied on an s3 path", want: true,
			reason: "Permission denied on S3 path: s3://acme-sales-data/sales/orders/orders.csv"},
		{name: "access denied not about s3", reason: "AccessDeniedException: User is not authorized to perform: glue:GetTable"},
		{name: "syntax error", reason: "line 1:10: mismatched input 'FORM'. Expecting: ',', 'FROM', <EOF>"},
		{name: "missing table", reason: "TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.sales_env_sub_db.nope' does not exist"},
		{name: "no reason", reason: "Athena gave no reason"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := propagating(tt.reason); got != tt.want {
				t.Errorf("propagating(%q) = %v, want %v", tt.reason, got, tt.want)
			}
		})
	}
}

package awsapi_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/workflow"
)

// Every interface declared in this package is registered in Uses, and every Use names a known task: the stack's IAM policies derive from Uses, so an
// unregistered interface would be a call the deployed role may not make.
func TestEveryInterfaceIsRegistered(t *testing.T) {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi fs.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go")
	}, 0)
	if err != nil {
		t.Fatal(err)
	}
	registered := map[string]bool{}
	for _, u := range awsapi.Uses {
		registered[u.API.Name()] = true
	}
	declared := 0
	for _, f := range pkgs["awsapi"].Files {
		ast.Inspect(f, func(n ast.Node) bool {
			ts, ok := n.(*ast.TypeSpec)
			if !ok {
				return true
			}
			if _, isIface := ts.Type.(*ast.InterfaceType); isIface && ts.Name.IsExported() {
				declared++
				if !registered[ts.Name.Name] {
					t.Errorf("interface %s is not registered in awsapi.Uses", ts.Name.Name)
				}
			}
			return true
		})
	}
	if declared < 10 {
		t.Fatalf("found %d interfaces; the parse is broken", declared)
	}
	for _, u := range awsapi.Uses {
		if !slices.Contains(workflow.Tasks, u.Task) && u.Task != awsapi.TaskDataLakeAdmins {
			t.Errorf("Use of %s names unknown task %q", u.API.Name(), u.Task)
		}
		if u.API.Kind() != reflect.Interface {
			t.Errorf("Use of %s: not an interface", u.API)
		}
	}
}

func TestActions(t *testing.T) {
	tests := []struct {
		task         string
		want, absent []string
	}{
		{task: workflow.TaskCrawl, want: []string{"glue:GetCrawler", "glue:ListCrawls", "glue:StartCrawler"}},
		{task: workflow.TaskPreflight, want: []string{"datazone:GetEnvironment", "glue:GetCrawler", "lakeformation:GetDataLakeSettings"}, absent: []string{"sts:GetCallerIdentity"}},
		{task: workflow.TaskLakeFormation, want: []string{"iam:PutRolePolicy", "lakeformation:RegisterResource"}},
		// Athena runs with the environment's credentials, not the Lambda role's.
		{task: workflow.TaskVerify, want: []string{"datazone:GetEnvironmentCredentials", "glue:GetTable"}, absent: []string{"athena:StartQueryExecution"}},
		// Report only reads the table list and writes the report.
		{task: workflow.TaskReport, want: []string{"s3:GetObject", "s3:ListBucket", "s3:PutObject"}},
		{task: workflow.TaskPreflight, absent: []string{"s3:GetObject", "s3:PutObject"}},
	}
	for _, tt := range tests {
		t.Run(tt.task, func(t *testing.T) {
			got := awsapi.Actions(tt.task)
			for _, w := range tt.want {
				if !slices.Contains(got, w) {
					t.Errorf("Actions lacks %s: %v", w, got)
				}
			}
			for _, a := range tt.absent {
				if slices.Contains(got, a) {
					t.Errorf("Actions has %s: %v", a, got)
				}
			}
			if tt.task == workflow.TaskReport && len(got) != len(tt.want) {
				t.Errorf("Actions = %v, want only %v", got, tt.want)
			}
			if !slices.IsSorted(got) {
				t.Errorf("Actions not sorted: %v", got)
			}
		})
	}
}

package infra

import (
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/workflow"
)

func TestEveryTaskRunsAsExactlyOneRole(t *testing.T) {
	tasks := append(slices.Clone(workflow.Tasks), awsapi.TaskDataLakeAdmins)
	for _, task := range tasks {
		var in []roleID
		for _, g := range roleGroups {
			if slices.Contains(g.tasks, task) {
				in = append(in, g.id)
			}
		}
		if len(in) != 1 {
			t.Errorf("task %s is in roles %v, want exactly one", task, in)
		}
	}
	for _, u := range awsapi.Uses {
		if !slices.Contains(tasks, u.Task) {
			t.Errorf("awsapi.Uses names task %q, which has no function", u.Task)
		}
	}
}

// TestRolesAllowExactlyWhatTheirTasksCall checks both directions: every SDK operation a task
// calls as itself (read from awsapi.Uses, not from awsapi.Actions) is allowed to its function's
// role, and the role allows nothing else but its Extra actions and the fixed log/X-Ray ones.
func TestRolesAllowExactlyWhatTheirTasksCall(t *testing.T) {
	full, bare := stacks(t)
	for _, s := range []struct {
		name string
		syn  *synthesis
	}{{"full context", full}, {"no context", bare}} {
		for _, g := range roleGroups {
			t.Run(s.name+"/"+string(g.id), func(t *testing.T) {
				roleID := functionRole(t, s.syn, g.tasks[0])
				for _, task := range g.tasks[1:] {
					if got := functionRole(t, s.syn, task); got != roleID {
						t.Errorf("task %s runs as %s, want %s like %s", task, got, roleID, g.tasks[0])
					}
				}
				sts := s.syn.statementsOf(t, roleID)
				allowed := actionsOf(sts)

				// Every call is allowed.
				for _, u := range awsapi.Uses {
					if !slices.Contains(g.tasks, u.Task) || u.AsEnvironmentRole {
						continue
					}
					for _, op := range awsapi.Operations(u.API) {
						action := u.Service + ":" + op
						if !awsapi.Unauthenticated[action] && !slices.Contains(allowed, action) {
							t.Errorf("task %s calls %s (%s) but role %s does not allow it", u.Task, action, u.API, roleID)
						}
					}
				}

				// Nothing else is allowed.
				want := append(append([]string{}, logActions...), xrayActions...)
				for _, task := range g.tasks {
					want = append(want, awsapi.Actions(task)...)
				}
				want = sortedSet(want)
				if !slices.Equal(allowed, want) {
					t.Errorf("role %s allows\n %v\nwant exactly\n %v\n(extra: %v, missing: %v)", roleID, allowed, want, minus(allowed, want), minus(want, allowed))
				}
				for _, st := range sts {
					if st.Effect != "Allow" {
						t.Errorf("statement %s has effect %s", st.Sid, st.Effect)
					}
					for _, a := range st.Actions {
						if strings.Contains(a, "*") {
							t.Errorf("statement %s allows the wildcard action %s", st.Sid, a)
						}
					}
				}
			})
		}
	}
}

// TestRoleResourcesAreNarrow checks the resources of each kind of action with full context.
func TestRoleResourcesAreNarrow(t *testing.T) {
	full, bare := stacks(t)
	slr := ":role/" + lfServiceLinkedRole
	tests := []struct {
		name    string
		syn     *synthesis
		action  string
		role    roleID
		want    []string // flattened resources, as cdk-nag shows them
		wantCon map[string]interface{}
	}{
		{name: "crawler by name", syn: full, action: "glue:StartCrawler", role: glueRole,
			want: []string{"arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:crawler/" + testCrawler}},
		{name: "any crawler without crawlerNames", syn: bare, action: "glue:StartCrawler", role: glueRole,
			want: []string{"arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:crawler/*"}},
		{name: "catalog, database and its tables", syn: full, action: "glue:GetTables", role: lakeFormationRole,
			want: []string{
				"arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:catalog",
				"arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:database/" + testDatabase,
				"arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:table/" + testDatabase + "/*",
			}},
		{name: "the DataZone role reads the same database", syn: full, action: "glue:GetTable", role: dataZoneRole,
			want: []string{
				"arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:catalog",
				"arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:database/" + testDatabase,
				"arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:table/" + testDatabase + "/*",
			}},
		{name: "the domain, for the action that has it as resource type", syn: full, action: "datazone:GetDomain", role: dataZoneRole,
			want: []string{"arn:<AWS::Partition>:datazone:<AWS::Region>:<AWS::AccountId>:domain/" + testDomain}},
		{name: "any domain without domainId", syn: bare, action: "datazone:GetDomain", role: dataZoneRole,
			want: []string{"arn:<AWS::Partition>:datazone:<AWS::Region>:<AWS::AccountId>:domain/*"}},
		{name: "DataZone actions without resource type take *", syn: full, action: "datazone:CreateDataSource", role: dataZoneRole,
			want: []string{"*"}},
		{name: "Lake Formation has no resource types", syn: full, action: "lakeformation:RegisterResource", role: lakeFormationRole,
			want: []string{"*"}},
		{name: "the service-linked role's policy", syn: full, action: "iam:PutRolePolicy", role: lakeFormationRole,
			want: []string{"arn:<AWS::Partition>:iam::<AWS::AccountId>" + slr}},
		{name: "creating the service-linked role, only for Lake Formation", syn: full, action: "iam:CreateServiceLinkedRole", role: lakeFormationRole,
			want:    []string{"arn:<AWS::Partition>:iam::<AWS::AccountId>" + slr},
			wantCon: map[string]interface{}{"StringEquals": map[string]interface{}{"iam:AWSServiceName": "lakeformation.amazonaws.com"}}},
		{name: "the custom resource's settings", syn: full, action: "lakeformation:PutDataLakeSettings", role: dataLakeAdmins,
			want: []string{"*"}},
		{name: "every role reads the table lists", syn: full, action: "s3:GetObject", role: glueRole,
			want: []string{"<StateBucket446E0578.Arn>/tables/*"}},
		{name: "a role writes only its own tasks' prefixes", syn: full, action: "s3:PutObject", role: lakeFormationRole,
			want: []string{"<StateBucket446E0578.Arn>/tables/LakeFormation/*", "<StateBucket446E0578.Arn>/tables/Tables/*"}},
		{name: "Report writes reports, Preflight nothing", syn: full, action: "s3:PutObject", role: dataZoneRole,
			want: []string{
				"<StateBucket446E0578.Arn>/reports/*", "<StateBucket446E0578.Arn>/tables/DataSource/*",
				"<StateBucket446E0578.Arn>/tables/Publish/*", "<StateBucket446E0578.Arn>/tables/Run/*",
				"<StateBucket446E0578.Arn>/tables/Subscribe/*", "<StateBucket446E0578.Arn>/tables/Verify/*",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var g roleGroup
			for _, x := range roleGroups {
				if x.id == tt.role {
					g = x
				}
			}
			roleID := functionRole(t, tt.syn, g.tasks[0])
			var found []statement
			for _, st := range tt.syn.statementsOf(t, roleID) {
				if slices.Contains(st.Actions, tt.action) {
					found = append(found, st)
				}
			}
			if len(found) != 1 {
				t.Fatalf("%d statements of %s allow %s, want 1", len(found), roleID, tt.action)
			}
			var got []string
			for _, r := range found[0].Resources {
				got = append(got, nagFlatten(r))
			}
			sort.Strings(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s on %v, want %v", tt.action, got, tt.want)
			}
			if !equalJSON(found[0].Condition, tt.wantCon) {
				t.Errorf("condition %v, want %v", found[0].Condition, tt.wantCon)
			}
		})
	}
}

func TestLogPermissionsAreTheFunctionsOwnLogGroups(t *testing.T) {
	full, _ := stacks(t)
	for _, g := range roleGroups {
		roleID := functionRole(t, full, g.tasks[0])
		var want []string
		for _, task := range g.tasks {
			fn := full.resources[full.functionOf(t, task)]
			want = append(want, ref(path(fn.Properties, "LoggingConfig", "LogGroup")))
		}
		var got []string
		for _, st := range full.statementsOf(t, roleID) {
			if !slices.Contains(st.Actions, "logs:PutLogEvents") {
				continue
			}
			for _, r := range st.Resources {
				got = append(got, getAtt(r, "Arn"))
			}
		}
		if !slices.Equal(sortedSet(got), sortedSet(want)) {
			t.Errorf("role %s may write to log groups %v, want its functions' %v", roleID, got, want)
		}
	}
}

func TestNoPermissionsBoundaryIsTouched(t *testing.T) {
	full, bare := stacks(t)
	for _, s := range []*synthesis{full, bare} {
		for id, r := range s.resources {
			if _, ok := r.Properties["PermissionsBoundary"]; ok {
				t.Errorf("%s (%s) sets a permissions boundary", id, r.Type)
			}
		}
		for _, id := range s.ofType("AWS::IAM::Role") {
			for _, a := range actionsOf(s.statementsOf(t, id)) {
				if strings.Contains(strings.ToLower(a), "permissionsboundary") {
					t.Errorf("role %s may call %s", id, a)
				}
			}
		}
	}
}

// functionRole returns the logical ID of the role the task's function runs as.
func functionRole(t *testing.T, s *synthesis, task string) string {
	t.Helper()
	id := getAtt(s.resources[s.functionOf(t, task)].Properties["Role"], "Arn")
	if id == "" {
		t.Fatalf("function of %s has no role of this stack", task)
	}
	return id
}

func sortedSet(l []string) []string {
	out := slices.Clone(l)
	slices.Sort(out)
	return slices.Compact(out)
}

func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

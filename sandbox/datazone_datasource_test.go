package sandbox_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/datazone"
	dztypes "github.com/aws/aws-sdk-go-v2/service/datazone/types"
)

func TestDataZoneCreateDataSource(t *testing.T) {
	h := startDZ(t)
	ctx := h.ctx
	create := func(c *datazone.Client, name, env, token string, cfg dztypes.DataSourceConfigurationInput) (string, error) {
		in := &datazone.CreateDataSourceInput{DomainIdentifier: aws.String(dzDomain), ProjectIdentifier: aws.String(dzSales),
			EnvironmentIdentifier: aws.String(env), Name: aws.String(name), Type: aws.String("GLUE"), Configuration: cfg}
		if token != "" {
			in.ClientToken = aws.String(token)
		}
		out, err := c.CreateDataSource(ctx, in)
		if err != nil {
			return "", err
		}
		return aws.ToString(out.Id), nil
	}
	first, err := create(h.workflow, "onboard-shop", dzSalesEnv, "token-1", glueConfig("shop_db", include("*")))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, dsName, env, token string
		cfg                      dztypes.DataSourceConfigurationInput
		kind, msg                string
		sameAsFirst              bool
	}{
		{"same client token returns the same data source", "onboard-shop", dzSalesEnv, "token-1",
			glueConfig("shop_db"), "", "", true},
		{"duplicate name", "onboard-shop", dzSalesEnv, "token-2", glueConfig("shop_db"),
			"validation", "DataSource name must be unique for a given project.", false},
		{"environment of another project", "other-env", dzMktgEnv, "", glueConfig("shop_db"),
			"validation", "does not belong to project", false},
		{"unknown environment", "no-env", "nosuchenv", "", glueConfig("shop_db"), "notfound", "nosuchenv", false},
		{"bad filter type", "bad-filter", dzSalesEnv, "",
			glueConfig("shop_db", dztypes.FilterExpression{Type: "MAYBE", Expression: aws.String("*")}),
			"validation", "filterExpressions.type", false},
		{"no relational filter", "no-filter", dzSalesEnv, "",
			&dztypes.DataSourceConfigurationInputMemberGlueRunConfiguration{Value: dztypes.GlueRunConfigurationInput{
				RelationalFilterConfigurations: []dztypes.RelationalFilterConfiguration{}}},
			"validation", "relationalFilterConfigurations", false},
		{"second name is fine", "onboard-shop-2", dzSalesEnv, "", glueConfig("shop_db"), "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := create(h.workflow, tt.dsName, tt.env, tt.token, tt.cfg)
			wantErrorKind(t, err, tt.kind, tt.msg)
			if err == nil && (id == first) != tt.sameAsFirst {
				t.Errorf("id = %s, first = %s, want same: %v", id, first, tt.sameAsFirst)
			}
		})
	}

	ds, err := h.viewer.GetDataSource(ctx, &datazone.GetDataSourceInput{DomainIdentifier: aws.String(dzDomain),
		Identifier: aws.String(first)})
	if err != nil {
		t.Fatal(err)
	}
	glue, ok := ds.Configuration.(*dztypes.DataSourceConfigurationOutputMemberGlueRunConfiguration)
	if !ok || aws.ToString(glue.Value.RelationalFilterConfigurations[0].DatabaseName) != "shop_db" ||
		aws.ToString(glue.Value.AccountId) != "111122223333" || ds.EnableSetting != dztypes.EnableSettingEnabled ||
		aws.ToString(ds.EnvironmentId) != dzSalesEnv || aws.ToString(ds.Type) != "GLUE" {
		t.Errorf("GetDataSource = %+v", ds)
	}

	// The journal records both calls with the token, and only one data source exists.
	var calls int
	for _, e := range h.s.Journal() {
		if e.Op == "CreateDataSource" && e.Keys["clientToken"] == "token-1" && e.Error == "" {
			calls++
		}
	}
	list, err := h.admin.ListDataSources(ctx, &datazone.ListDataSourcesInput{DomainIdentifier: aws.String(dzDomain),
		ProjectIdentifier: aws.String(dzSales), Name: aws.String("onboard-shop")})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 2 || len(list.Items) != 1 {
		t.Errorf("journalled token-1 calls = %d, data sources named onboard-shop = %d; want 2 and 1", calls, len(list.Items))
	}
}

func TestDataZoneDataSourceLifecycle(t *testing.T) {
	h := startDZ(t)
	id := h.createDataSource("lifecycle", false, glueConfig("shop_db"))
	get := func() *datazone.GetDataSourceOutput {
		out, err := h.admin.GetDataSource(h.ctx, &datazone.GetDataSourceInput{DomainIdentifier: aws.String(dzDomain),
			Identifier: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	start := func() error {
		_, err := h.admin.StartDataSourceRun(h.ctx, &datazone.StartDataSourceRunInput{
			DomainIdentifier: aws.String(dzDomain), DataSourceIdentifier: aws.String(id)})
		return err
	}
	steps := []struct {
		name       string
		advance    time.Duration
		status     dztypes.DataSourceStatus
		runStatus  dztypes.DataSourceRunStatus // of the newest run, "" for none
		lastRun    dztypes.DataSourceRunStatus
		startKind  string
		startMatch string
	}{
		{"creating", 0, dztypes.DataSourceStatusCreating, "", "", "conflict", "CREATING"},
		{"first run requested on READY", dzCreate, dztypes.DataSourceStatusRunning, dztypes.DataSourceRunStatusRequested, "",
			"conflict", "already has a run in progress"},
		{"first run running", dzRun / 4, dztypes.DataSourceStatusRunning, dztypes.DataSourceRunStatusRunning, "",
			"conflict", "already has a run in progress"},
		{"first run done", dzRun * 3 / 4, dztypes.DataSourceStatusReady, dztypes.DataSourceRunStatusPartiallySucceeded,
			dztypes.DataSourceRunStatusPartiallySucceeded, "", ""},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			h.advance(st.advance)
			ds := get()
			if ds.Status != st.status || ds.LastRunStatus != st.lastRun {
				t.Errorf("status = %s last run %s, want %s / %s", ds.Status, ds.LastRunStatus, st.status, st.lastRun)
			}
			runs, err := h.admin.ListDataSourceRuns(h.ctx, &datazone.ListDataSourceRunsInput{
				DomainIdentifier: aws.String(dzDomain), DataSourceIdentifier: aws.String(id)})
			if err != nil {
				t.Fatal(err)
			}
			var got dztypes.DataSourceRunStatus
			if len(runs.Items) > 0 {
				got = runs.Items[0].Status
			}
			if got != st.runStatus {
				t.Errorf("newest run status = %q, want %q", got, st.runStatus)
			}
			if st.name != "first run done" {
				wantErrorKind(t, start(), st.startKind, st.startMatch)
			}
		})
	}
	ds := get()
	if aws.ToInt32(ds.LastRunAssetCount) != 4 || ds.LastRunAt == nil {
		t.Errorf("last run asset count = %d at %v, want 4", aws.ToInt32(ds.LastRunAssetCount), ds.LastRunAt)
	}

	// A manual run with a client token; the retry with the same token returns the same run even
	// though a run is now active, a new token conflicts.
	first, err := h.admin.StartDataSourceRun(h.ctx, &datazone.StartDataSourceRunInput{DomainIdentifier: aws.String(dzDomain),
		DataSourceIdentifier: aws.String(id), ClientToken: aws.String("run-1")})
	if err != nil {
		t.Fatal(err)
	}
	again, err := h.admin.StartDataSourceRun(h.ctx, &datazone.StartDataSourceRunInput{DomainIdentifier: aws.String(dzDomain),
		DataSourceIdentifier: aws.String(id), ClientToken: aws.String("run-1")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(first.Id) != aws.ToString(again.Id) || first.Type != dztypes.DataSourceRunTypePrioritized {
		t.Errorf("runs = %s (%s), %s; want one PRIORITIZED run", aws.ToString(first.Id), first.Type, aws.ToString(again.Id))
	}
	_, err = h.admin.StartDataSourceRun(h.ctx, &datazone.StartDataSourceRunInput{DomainIdentifier: aws.String(dzDomain),
		DataSourceIdentifier: aws.String(id), ClientToken: aws.String("run-2")})
	wantErrorKind(t, err, "conflict", "already has a run in progress")

	active, err := h.admin.ListDataSourceRuns(h.ctx, &datazone.ListDataSourceRunsInput{DomainIdentifier: aws.String(dzDomain),
		DataSourceIdentifier: aws.String(id), Status: dztypes.DataSourceRunStatusRequested})
	if err != nil {
		t.Fatal(err)
	}
	if len(active.Items) != 1 || aws.ToString(active.Items[0].Id) != aws.ToString(first.Id) {
		t.Errorf("REQUESTED runs = %+v, want the manual run", active.Items)
	}
}

func TestDataZoneRunActivities(t *testing.T) {
	h := startDZ(t)
	_, runID := h.firstRun("activities", false, glueConfig("shop_db"))
	run, err := h.admin.GetDataSourceRun(h.ctx, &datazone.GetDataSourceRunInput{DomainIdentifier: aws.String(dzDomain),
		Identifier: aws.String(runID)})
	if err != nil {
		t.Fatal(err)
	}
	st := run.RunStatisticsForAssets
	if run.Status != dztypes.DataSourceRunStatusPartiallySucceeded || st == nil || aws.ToInt32(st.Added) != 4 ||
		aws.ToInt32(st.Skipped) != 1 || aws.ToInt32(st.Unchanged) != 0 || run.StoppedAt == nil {
		t.Fatalf("run = %s stats %+v", run.Status, st)
	}

	var acts []dztypes.DataSourceRunActivity
	pager := datazone.NewListDataSourceRunActivitiesPaginator(h.admin, &datazone.ListDataSourceRunActivitiesInput{
		DomainIdentifier: aws.String(dzDomain), Identifier: aws.String(runID), MaxResults: aws.Int32(2)})
	pages := 0
	for pager.HasMorePages() {
		page, err := pager.NextPage(h.ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		acts = append(acts, page.Items...)
	}
	if pages != 3 || len(acts) != 5 {
		t.Fatalf("got %d activities in %d pages, want 5 in 3", len(acts), pages)
	}
	byTable := map[string]dztypes.DataSourceRunActivity{}
	for _, a := range acts {
		byTable[aws.ToString(a.TechnicalName)] = a
	}
	tests := []struct {
		table     string
		status    dztypes.DataAssetActivityStatus
		wantAsset bool
	}{
		{"orders", dztypes.DataAssetActivityStatusSucceededCreated, true},
		{"orders_archive", dztypes.DataAssetActivityStatusSucceededCreated, true},
		{"customers", dztypes.DataAssetActivityStatusSucceededCreated, true},
		{"legacy", dztypes.DataAssetActivityStatusSucceededCreated, true},
		{"secrets", dztypes.DataAssetActivityStatusSkippedNoAccess, false},
	}
	for _, tt := range tests {
		t.Run(tt.table, func(t *testing.T) {
			a, ok := byTable[tt.table]
			if !ok {
				t.Fatalf("no activity for %s", tt.table)
			}
			if a.DataAssetStatus != tt.status || (a.DataAssetId != nil) != tt.wantAsset ||
				aws.ToString(a.Database) != "shop_db" || aws.ToString(a.ProjectId) != dzSales ||
				aws.ToString(a.DataSourceRunId) != runID {
				t.Errorf("activity = %s asset %v db %s project %s run %s", a.DataAssetStatus, a.DataAssetId,
					aws.ToString(a.Database), aws.ToString(a.ProjectId), aws.ToString(a.DataSourceRunId))
			}
			if !tt.wantAsset && (a.ErrorMessage == nil || a.ErrorMessage.ErrorType != dztypes.DataSourceErrorTypeAccessDeniedException) {
				t.Errorf("skipped activity error = %+v", a.ErrorMessage)
			}
		})
	}

	skipped, err := h.viewer.ListDataSourceRunActivities(h.ctx, &datazone.ListDataSourceRunActivitiesInput{
		DomainIdentifier: aws.String(dzDomain), Identifier: aws.String(runID), Status: dztypes.DataAssetActivityStatusSkippedNoAccess})
	if err != nil {
		t.Fatal(err)
	}
	if len(skipped.Items) != 1 || aws.ToString(skipped.Items[0].TechnicalName) != "secrets" {
		t.Errorf("SKIPPED_NO_ACCESS activities = %+v", skipped.Items)
	}
}

func TestDataZoneRunFilters(t *testing.T) {
	tests := []struct {
		name       string
		cfg        dztypes.DataSourceConfigurationInput
		wantStatus dztypes.DataSourceRunStatus
		wantTables []string
	}{
		{"include prefix", glueConfig("shop_db", include("orders*")), dztypes.DataSourceRunStatusSuccess,
			[]string{"orders", "orders_archive"}},
		{"include prefix, exclude suffix", glueConfig("shop_db", include("orders*"), exclude("*_archive")),
			dztypes.DataSourceRunStatusSuccess, []string{"orders"}},
		{"exclude only", glueConfig("shop_db", exclude("secrets"), exclude("orders*")), dztypes.DataSourceRunStatusSuccess,
			[]string{"customers", "legacy"}},
		{"exact names, one skipped", glueConfig("shop_db", include("orders"), include("secrets")),
			dztypes.DataSourceRunStatusPartiallySucceeded, []string{"orders", "secrets"}},
		{"empty database", glueConfig("sales_env_pub_db"), dztypes.DataSourceRunStatusSuccess, nil},
		{"missing database", glueConfig("no_such_db"), dztypes.DataSourceRunStatusFailed, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := startDZ(t)
			_, runID := h.firstRun("filters", false, tt.cfg)
			run, err := h.admin.GetDataSourceRun(h.ctx, &datazone.GetDataSourceRunInput{
				DomainIdentifier: aws.String(dzDomain), Identifier: aws.String(runID)})
			if err != nil {
				t.Fatal(err)
			}
			if run.Status != tt.wantStatus {
				t.Errorf("run status = %s, want %s", run.Status, tt.wantStatus)
			}
			if tt.wantStatus == dztypes.DataSourceRunStatusFailed && (run.ErrorMessage == nil || run.ErrorMessage.ErrorDetail == nil) {
				t.Errorf("failed run has no error message")
			}
			acts, err := h.admin.ListDataSourceRunActivities(h.ctx, &datazone.ListDataSourceRunActivitiesInput{
				DomainIdentifier: aws.String(dzDomain), Identifier: aws.String(runID)})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, a := range acts.Items {
				got = append(got, aws.ToString(a.TechnicalName))
			}
			if len(got) != len(tt.wantTables) {
				t.Fatalf("tables = %v, want %v", got, tt.wantTables)
			}
			for i := range got {
				if got[i] != tt.wantTables[i] {
					t.Fatalf("tables = %v, want %v", got, tt.wantTables)
				}
			}
		})
	}
}

func TestDataZoneUpdateDataSource(t *testing.T) {
	h := startDZ(t)
	id := h.createDataSource("to-update", false, glueConfig("shop_db"))
	h.createDataSource("taken", false, glueConfig("shop_db"))
	update := func(in *datazone.UpdateDataSourceInput) (*datazone.UpdateDataSourceOutput, error) {
		in.DomainIdentifier, in.Identifier = aws.String(dzDomain), aws.String(id)
		return h.admin.UpdateDataSource(h.ctx, in)
	}
	status := func() dztypes.DataSourceStatus {
		out, err := h.admin.GetDataSource(h.ctx, &datazone.GetDataSourceInput{DomainIdentifier: aws.String(dzDomain), Identifier: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		return out.Status
	}
	tests := []struct {
		name       string
		wait       time.Duration // virtual time that passes before the call
		in         *datazone.UpdateDataSourceInput
		kind, msg  string
		check      func(*datazone.UpdateDataSourceOutput) bool
		wantStatus dztypes.DataSourceStatus // GetDataSource right after the call
	}{
		{"while CREATING", 0, &datazone.UpdateDataSourceInput{PublishOnImport: aws.Bool(true)},
			"conflict", "CREATING", nil, dztypes.DataSourceStatusCreating},
		{"while its first run is active", dzCreate, &datazone.UpdateDataSourceInput{PublishOnImport: aws.Bool(true)},
			"conflict", "has a run in progress", nil, dztypes.DataSourceStatusRunning},
		{"rename to a taken name", dzRun, &datazone.UpdateDataSourceInput{Name: aws.String("taken")},
			"validation", "DataSource name must be unique for a given project.", nil, dztypes.DataSourceStatusReady},
		{"publish on import", 0, &datazone.UpdateDataSourceInput{PublishOnImport: aws.Bool(true)}, "", "",
			func(o *datazone.UpdateDataSourceOutput) bool {
				return aws.ToBool(o.PublishOnImport) && o.Status == dztypes.DataSourceStatusUpdating
			}, dztypes.DataSourceStatusUpdating},
		{"while UPDATING", dzUpdate - time.Second, &datazone.UpdateDataSourceInput{Description: aws.String("again")},
			"conflict", "UPDATING", nil, dztypes.DataSourceStatusUpdating},
		{"new filters, once READY again", time.Second, &datazone.UpdateDataSourceInput{Configuration: glueConfig("shop_db", include("orders"))}, "", "",
			func(o *datazone.UpdateDataSourceOutput) bool {
				g, ok := o.Configuration.(*dztypes.DataSourceConfigurationOutputMemberGlueRunConfiguration)
				return ok && aws.ToString(g.Value.RelationalFilterConfigurations[0].FilterExpressions[0].Expression) == "orders"
			}, dztypes.DataSourceStatusUpdating},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.advance(tt.wait)
			out, err := update(tt.in)
			wantErrorKind(t, err, tt.kind, tt.msg)
			if tt.check != nil && !tt.check(out) {
				t.Errorf("update not applied: %+v", out)
			}
			if got := status(); got != tt.wantStatus {
				t.Errorf("status = %s, want %s", got, tt.wantStatus)
			}
		})
	}

	// No run while UPDATING; once READY the next run uses the new filters and publishes: only
	// orders, UNCHANGED, so nothing new is listed.
	start := func() (*datazone.StartDataSourceRunOutput, error) {
		return h.admin.StartDataSourceRun(h.ctx, &datazone.StartDataSourceRunInput{DomainIdentifier: aws.String(dzDomain),
			DataSourceIdentifier: aws.String(id)})
	}
	_, err := start()
	wantErrorKind(t, err, "conflict", "UPDATING")
	h.advance(dzUpdate)
	run, err := start()
	if err != nil {
		t.Fatal(err)
	}
	h.advance(dzRun)
	acts, err := h.admin.ListDataSourceRunActivities(h.ctx, &datazone.ListDataSourceRunActivitiesInput{
		DomainIdentifier: aws.String(dzDomain), Identifier: run.Id})
	if err != nil {
		t.Fatal(err)
	}
	if len(acts.Items) != 1 || acts.Items[0].DataAssetStatus != dztypes.DataAssetActivityStatusUnchanged {
		t.Errorf("activities after update = %+v, want orders UNCHANGED", acts.Items)
	}
}

func TestDataZoneListDataSources(t *testing.T) {
	h := startDZ(t)
	for _, n := range []string{"ds-a", "ds-b", "ds-c"} {
		h.createDataSource(n, false, glueConfig("shop_db"))
	}
	tests := []struct {
		name string
		in   datazone.ListDataSourcesInput
		want int
	}{
		{"all", datazone.ListDataSourcesInput{}, 3},
		{"by name", datazone.ListDataSourcesInput{Name: aws.String("ds-b")}, 1},
		{"by type", datazone.ListDataSourcesInput{Type: aws.String("GLUE")}, 3},
		{"by other type", datazone.ListDataSourcesInput{Type: aws.String("REDSHIFT")}, 0},
		{"by environment", datazone.ListDataSourcesInput{EnvironmentIdentifier: aws.String(dzSalesEnv)}, 3},
		{"by other environment", datazone.ListDataSourcesInput{EnvironmentIdentifier: aws.String(dzMktgEnv)}, 0},
		{"by status", datazone.ListDataSourcesInput{Status: dztypes.DataSourceStatusCreating}, 3},
		{"one per page", datazone.ListDataSourcesInput{MaxResults: aws.Int32(1)}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.DomainIdentifier, in.ProjectIdentifier = aws.String(dzDomain), aws.String(dzSales)
			pager := datazone.NewListDataSourcesPaginator(h.workflow, &in)
			got := 0
			for pager.HasMorePages() {
				page, err := pager.NextPage(h.ctx)
				if err != nil {
					t.Fatal(err)
				}
				got += len(page.Items)
			}
			if got != tt.want {
				t.Errorf("got %d data sources, want %d", got, tt.want)
			}
		})
	}
}

package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	jsonpatch "github.com/evanphx/json-patch/v5"
)

// World is the starting state of the emulated AWS account, read from a JSON world file.
// Paths in it (bucket folders) are relative to the world file's directory.
type World struct {
	// Account is the 12-digit AWS account ID; Region the one region served.
	Account string `json:"account"`
	Region  string `json:"region"`

	// DefaultIdentity is the IAM role ARN that unknown access keys act as.
	DefaultIdentity string `json:"defaultIdentity"`
	// Identities maps known access key IDs to IAM role ARNs.
	Identities []Identity `json:"identities,omitempty"`
	// Roles are the IAM roles of the account that the emulation needs to know about.
	Roles []Role `json:"roles"`

	// Buckets are S3 buckets backed by local folders, served read-only over the S3 API.
	Buckets []Bucket `json:"buckets"`
	// StateBucket is the S3 bucket of the workflow's documents, in memory and empty at the start
	// (StateBucketName: dzonboard-state-<account>-<region> when empty).
	StateBucket string `json:"stateBucket,omitempty"`

	Glue          GlueWorld          `json:"glue"`
	LakeFormation LakeFormationWorld `json:"lakeFormation"`
	DataZone      DataZoneWorld      `json:"dataZone"`

	// Durations are the simulated durations of asynchronous work, in virtual time.
	Durations Durations `json:"durations"`

	// dir is the directory of the world file; relative paths resolve against it.
	dir string
}

// Identity maps an access key ID to the role it acts as.
type Identity struct {
	AccessKeyID string `json:"accessKeyId"`
	ARN         string `json:"arn"`
}

// Role is an IAM role. S3Access lists the s3:// prefixes its IAM policies allow it to read.
// PermissionsBoundary, when set to the DataZone environment boundary, restricts the role's direct
// S3 access to DataZone's own prefixes: it can read other data only through Lake Formation.
type Role struct {
	ARN                 string   `json:"arn"`
	S3Access            []string `json:"s3Access,omitempty"`
	PermissionsBoundary string   `json:"permissionsBoundary,omitempty"`
}

// Bucket is an S3 bucket whose objects are the files under Dir.
type Bucket struct {
	Name string `json:"name"`
	Dir  string `json:"dir"`
}

// GlueWorld is the Glue Data Catalog and its crawlers.
type GlueWorld struct {
	Databases []GlueDatabase `json:"databases"`
	Crawlers  []GlueCrawler  `json:"crawlers"`
}

// GlueDatabase is a catalog database. IAMAllowedPrincipals true means new tables in it get the
// IAMAllowedPrincipals ALL default (CreateTableDefaultPermissions), so they are not Lake
// Formation-managed; false means the database is Lake Formation-enforced.
type GlueDatabase struct {
	Name                 string      `json:"name"`
	LocationURI          string      `json:"locationUri,omitempty"`
	IAMAllowedPrincipals bool        `json:"iamAllowedPrincipals,omitempty"`
	Tables               []GlueTable `json:"tables,omitempty"`
}

// GlueTable is a pre-existing catalog table (most worlds start with none: the crawler makes them).
type GlueTable struct {
	Name                 string       `json:"name"`
	Location             string       `json:"location"`
	Columns              []GlueColumn `json:"columns"`
	IAMAllowedPrincipals bool         `json:"iamAllowedPrincipals,omitempty"`
}

// GlueColumn is a column name and its Glue (Hive) type: string, bigint, double, date, boolean.
type GlueColumn struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// GlueCrawler is a crawler over S3 targets writing into DatabaseName.
type GlueCrawler struct {
	Name         string   `json:"name"`
	Role         string   `json:"role"`
	DatabaseName string   `json:"databaseName"`
	S3Targets    []string `json:"s3Targets"`
	TablePrefix  string   `json:"tablePrefix,omitempty"`
}

// LakeFormationWorld is the Lake Formation state of the account.
type LakeFormationWorld struct {
	// Admins are the data lake administrators (role ARNs).
	Admins []string `json:"admins"`
	// Registered are the S3 locations already registered (arn:aws:s3:::bucket/prefix).
	Registered []LFRegistration `json:"registered,omitempty"`
	// Permissions are grants that exist at the start.
	Permissions []LFPermission `json:"permissions,omitempty"`
}

// LFRegistration is a registered data lake location.
type LFRegistration struct {
	ResourceARN          string `json:"resourceArn"`
	UseServiceLinkedRole bool   `json:"useServiceLinkedRole"`
	RoleARN              string `json:"roleArn,omitempty"`
	HybridAccessEnabled  bool   `json:"hybridAccessEnabled,omitempty"`
}

// LFPermission is one grant. Exactly one of Database, Table (TableWildcard or Name) and
// DataLocation is set. Principal is a role ARN or "IAM_ALLOWED_PRINCIPALS".
type LFPermission struct {
	Principal      string   `json:"principal"`
	Database       string   `json:"database,omitempty"`
	Table          string   `json:"table,omitempty"`
	TableWildcard  bool     `json:"tableWildcard,omitempty"`
	DataLocation   string   `json:"dataLocation,omitempty"`
	Permissions    []string `json:"permissions"`
	GrantablePerms []string `json:"grantablePermissions,omitempty"`
}

// DataZoneWorld is the one DataZone domain of the account.
type DataZoneWorld struct {
	Domain    DZDomain    `json:"domain"`
	Blueprint DZBlueprint `json:"blueprint"`
	// AutoApproveSubscriptions: requests are created PENDING and then approved asynchronously
	// (after Durations.AutoApprove) without anyone calling AcceptSubscriptionRequest.
	AutoApproveSubscriptions bool        `json:"autoApproveSubscriptions,omitempty"`
	Projects                 []DZProject `json:"projects"`
}

// DZDomain is the DataZone domain. Version is "V1" or "V2".
type DZDomain struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Version string `json:"version"`
	Status  string `json:"status"`
}

// DZBlueprint is the DefaultDataLake blueprint and its configuration in this account.
type DZBlueprint struct {
	ID                  string `json:"id"`
	Name                string `json:"name"`
	ManageAccessRoleARN string `json:"manageAccessRoleArn"`
	ProvisioningRoleARN string `json:"provisioningRoleArn"`
	PermissionsBoundary string `json:"permissionsBoundary"`
}

// DZProject is a DataZone project with its members and environments.
type DZProject struct {
	ID           string          `json:"id"`
	Name         string          `json:"name"`
	Members      []DZMember      `json:"members"`
	Environments []DZEnvironment `json:"environments"`
}

// DZMember is a project member: an IAM role ARN and its designation (PROJECT_OWNER, ...).
type DZMember struct {
	ARN         string `json:"arn"`
	Designation string `json:"designation"`
}

// DZEnvironment is a DefaultDataLake environment and the resources DataZone provisioned for it.
// WorkgroupKey is the provisioned-resource name under which the Athena workgroup is reported
// (default "workgroupName"; variant worlds use another to exercise the fallback lookup).
type DZEnvironment struct {
	ID                   string `json:"id"`
	Name                 string `json:"name"`
	Status               string `json:"status"`
	UserRoleARN          string `json:"userRoleArn"`
	SubscriptionDatabase string `json:"subscriptionDatabase"`
	PublishingDatabase   string `json:"publishingDatabase"`
	Workgroup            string `json:"workgroup"`
	WorkgroupKey         string `json:"workgroupKey,omitempty"`
	ProducerOutputURI    string `json:"producerOutputUri,omitempty"`
	// SubscriptionGrantCreationMode is the mode of the environment's subscription target:
	// AUTOMATIC (the default: accepting a request grants it into the environment) or MANUAL
	// (accepting makes the subscription only; CreateSubscriptionGrant must grant it).
	SubscriptionGrantCreationMode string `json:"subscriptionGrantCreationMode,omitempty"`
}

// Durations are simulated durations in virtual time, as Go duration strings ("90s").
type Durations struct {
	CrawlStartDelay  Duration `json:"crawlStartDelay"`  // READY with the old LastCrawl before RUNNING
	Crawl            Duration `json:"crawl"`            // RUNNING until READY with the new LastCrawl
	DataSourceCreate Duration `json:"dataSourceCreate"` // CREATING until READY
	DataSourceUpdate Duration `json:"dataSourceUpdate"` // UPDATING after UpdateDataSource until READY
	DataSourceRun    Duration `json:"dataSourceRun"`    // REQUESTED/RUNNING until terminal
	Listing          Duration `json:"listing"`          // listing CREATING until ACTIVE
	AutoApprove      Duration `json:"autoApprove"`      // PENDING until auto-approved (when enabled)
	// Fulfilment is how long after a request is approved DataZone's background fulfilment (the
	// "Subscription Grant Requested" event) creates the grants into the subscribing project's
	// AUTOMATIC subscription targets: until then the subscription is APPROVED with no grant.
	Fulfilment Duration `json:"fulfilment"`
	Grant      Duration `json:"grant"` // grant PENDING -> IN_PROGRESS -> COMPLETED
	Query      Duration `json:"query"` // Athena QUEUED/RUNNING until terminal
	// GrantPropagation is how long the Lake Formation permissions of a completed subscription grant
	// take to reach Athena: until then, queries by the environment's user role fail with
	// "Insufficient Lake Formation permission(s)" as if the grant were missing, although
	// ListPermissions already shows it. It has no default: zero means at once.
	GrantPropagation Duration `json:"grantPropagation,omitzero"`
}

// Duration is a time.Duration that reads and writes as a Go duration string.
type Duration struct{ time.Duration }

// UnmarshalJSON reads "90s".
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration must be a string like \"90s\": %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	d.Duration = v
	return nil
}

// MarshalJSON writes "1m30s".
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// DefaultDurations are used for every duration a world file leaves at zero, except
// GrantPropagation, whose zero (no lag) is its default.
var DefaultDurations = Durations{
	CrawlStartDelay:  Duration{5 * time.Second},
	Crawl:            Duration{75 * time.Second},
	DataSourceCreate: Duration{10 * time.Second},
	DataSourceUpdate: Duration{5 * time.Second},
	DataSourceRun:    Duration{40 * time.Second},
	Listing:          Duration{20 * time.Second},
	AutoApprove:      Duration{5 * time.Second},
	Fulfilment:       Duration{5 * time.Second},
	Grant:            Duration{30 * time.Second},
	Query:            Duration{2 * time.Second},
}

// LoadWorld reads a world file; relative bucket folders resolve against its directory.
//
// A world file is either a World document or an overlay of another world file:
//
//	{"base": "../sandbox-world.json", "patch": [{"op": "replace", "path": "/dataZone/autoApproveSubscriptions", "value": true}]}
//
// base is the path of the world it starts from, relative to the overlay's directory (it may
// itself be an overlay), and patch is an RFC 6902 JSON Patch applied to base's document, so a
// scenario is a few lines. Bucket folders in the base are rewritten to stay relative to the
// overlay's directory, where the patch's own folders are relative too.
func LoadWorld(path string) (*World, error) {
	doc, err := worldDocument(path, 0)
	if err != nil {
		return nil, err
	}
	w, err := ParseWorld(doc)
	if err != nil {
		return nil, fmt.Errorf("world %s: %w", path, err)
	}
	w.dir = filepath.Dir(path)
	return w, nil
}

// maxOverlayDepth bounds how many overlays may stack, which also stops a cycle of bases.
const maxOverlayDepth = 8

// worldOverlay is a world file that patches another: Base is the other's path (relative to the
// overlay's directory), Patch an RFC 6902 JSON Patch.
type worldOverlay struct {
	Base  string          `json:"base"`
	Patch json.RawMessage `json:"patch"`
}

// parseOverlay reads b as an overlay; ok is false when b is a World document (it has no "base").
func parseOverlay(b []byte) (ov worldOverlay, ok bool, err error) {
	var members map[string]json.RawMessage
	if json.Unmarshal(b, &members) != nil {
		return ov, false, nil // not an object: ParseWorld reports it
	}
	if _, ok := members["base"]; !ok {
		return ov, false, nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ov); err != nil {
		return ov, true, fmt.Errorf("world overlay: %w", err)
	}
	if ov.Base == "" {
		return ov, true, fmt.Errorf("world overlay: base is empty")
	}
	return ov, true, nil
}

// worldDocument returns the World document of a world file, with its overlays applied and its
// bucket folders relative to the file's directory.
func worldDocument(path string, depth int) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read world: %w", err)
	}
	ov, ok, err := parseOverlay(b)
	switch {
	case err != nil:
		return nil, fmt.Errorf("world %s: %w", path, err)
	case !ok:
		return b, nil
	}
	if depth >= maxOverlayDepth {
		return nil, fmt.Errorf("world %s: overlays stack deeper than %d (is a base its own overlay?)", path, maxOverlayDepth)
	}
	dir := filepath.Dir(path)
	basePath := ov.Base
	if !filepath.IsAbs(basePath) {
		basePath = filepath.Join(dir, basePath)
	}
	base, err := worldDocument(basePath, depth+1)
	if err != nil {
		return nil, err
	}
	if base, err = rebaseBuckets(base, filepath.Dir(basePath), dir); err != nil {
		return nil, fmt.Errorf("world %s: base %s: %w", path, ov.Base, err)
	}
	if len(bytes.TrimSpace(ov.Patch)) == 0 {
		return base, nil
	}
	patch, err := jsonpatch.DecodePatch(ov.Patch)
	if err != nil {
		return nil, fmt.Errorf("world %s: patch: %w", path, err)
	}
	out, err := patch.Apply(base)
	if err != nil {
		return nil, fmt.Errorf("world %s: apply patch to %s: %w", path, ov.Base, err)
	}
	return out, nil
}

// rebaseBuckets rewrites the relative bucket folders of a world document from relative to from
// to relative to to (both directories).
func rebaseBuckets(doc []byte, from, to string) ([]byte, error) {
	if filepath.Clean(from) == filepath.Clean(to) {
		return doc, nil
	}
	var w map[string]any
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	if err := dec.Decode(&w); err != nil {
		return nil, fmt.Errorf("read world document: %w", err)
	}
	buckets, _ := w["buckets"].([]any)
	for _, b := range buckets {
		bucket, _ := b.(map[string]any)
		dir, _ := bucket["dir"].(string)
		if dir == "" || filepath.IsAbs(dir) {
			continue
		}
		target := filepath.Join(from, dir)
		rel, err := filepath.Rel(to, target)
		if err != nil {
			if rel, err = filepath.Abs(target); err != nil {
				return nil, fmt.Errorf("bucket folder %s: %w", dir, err)
			}
		}
		bucket["dir"] = filepath.ToSlash(rel)
	}
	return json.Marshal(w)
}

// ParseWorld reads a world document; unknown fields are errors. An overlay (a document with a
// base) needs LoadWorld, which can find its base.
func ParseWorld(b []byte) (*World, error) {
	if _, ok, _ := parseOverlay(b); ok {
		return nil, fmt.Errorf("a world overlay (with a base) must be read with LoadWorld")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var w World
	if err := dec.Decode(&w); err != nil {
		return nil, err
	}
	w.applyDefaults()
	return &w, nil
}

// BucketDir returns the local folder backing a bucket, or "" if the bucket is unknown.
func (w *World) BucketDir(bucket string) string {
	for _, b := range w.Buckets {
		if b.Name == bucket {
			if filepath.IsAbs(b.Dir) || w.dir == "" {
				return b.Dir
			}
			return filepath.Join(w.dir, b.Dir)
		}
	}
	return ""
}

func (w *World) applyDefaults() {
	fill := func(d *Duration, def Duration) {
		if d.Duration == 0 {
			*d = def
		}
	}
	fill(&w.Durations.CrawlStartDelay, DefaultDurations.CrawlStartDelay)
	fill(&w.Durations.Crawl, DefaultDurations.Crawl)
	fill(&w.Durations.DataSourceCreate, DefaultDurations.DataSourceCreate)
	fill(&w.Durations.DataSourceUpdate, DefaultDurations.DataSourceUpdate)
	fill(&w.Durations.DataSourceRun, DefaultDurations.DataSourceRun)
	fill(&w.Durations.Listing, DefaultDurations.Listing)
	fill(&w.Durations.AutoApprove, DefaultDurations.AutoApprove)
	fill(&w.Durations.Fulfilment, DefaultDurations.Fulfilment)
	fill(&w.Durations.Grant, DefaultDurations.Grant)
	fill(&w.Durations.Query, DefaultDurations.Query)
	for p := range w.DataZone.Projects {
		for e := range w.DataZone.Projects[p].Environments {
			if w.DataZone.Projects[p].Environments[e].WorkgroupKey == "" {
				w.DataZone.Projects[p].Environments[e].WorkgroupKey = "workgroupName"
			}
		}
	}
}

package sandbox

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"mime"
	"net/http"
	"path"
	"path/filepath"
	"sort"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3afero"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/spf13/afero"
)

// StateBucketName is the bucket of the workflow's documents: StateBucket, or
// dzonboard-state-<account>-<region> when the world leaves it empty.
func (w *World) StateBucketName() string {
	if w.StateBucket != "" {
		return w.StateBucket
	}
	return "dzonboard-state-" + w.Account + "-" + w.Region
}

// s3State is the sandbox's S3: gofakes3 over the world's data buckets (read-only views of their
// folders) and the in-memory state bucket.
type s3State struct {
	handler http.Handler
	// mem holds the state bucket and the buckets a deployed stack creates.
	mem *s3mem.Backend
	// data are the world's buckets by name; everything else lives in mem.
	data map[string]bool
	// state is the state bucket's name.
	state string
}

// newS3 builds the sandbox's S3 from the world: each data bucket a gofakes3 s3afero backend over a
// read-only view of its folder (live: files written later are seen), the state bucket created in
// an s3mem backend. gofakes3's clock is the sandbox's virtual clock (it is only read while s.mu is
// held); its check of the request time against the server's is off, because the SDK signs with
// wall time and the sandbox runs on virtual time.
func newS3(s *Sandbox) (*s3State, error) {
	clk := s3Clock{s: s}
	mem := s3mem.New(s3mem.WithTimeSource(clk), s3mem.WithVersionSeed(s.opt.Seed))
	st := &s3State{mem: mem, data: map[string]bool{}, state: s.world.StateBucketName()}
	r := &s3Router{mem: mem, data: map[string]s3DataBucket{}}
	for _, b := range s.world.Buckets {
		if err := gofakes3.ValidateBucketName(b.Name); err != nil {
			return nil, fmt.Errorf("s3 bucket %q: %w", b.Name, err)
		}
		view := afero.NewReadOnlyFs(afero.NewBasePathFs(afero.NewOsFs(), s.world.BucketDir(b.Name)))
		be, err := s3afero.SingleBucket(b.Name, view, nil)
		if err != nil {
			return nil, fmt.Errorf("s3 bucket %q: %w", b.Name, err)
		}
		r.data[b.Name] = s3DataBucket{Backend: be, view: view}
		st.data[b.Name] = true
	}
	if st.data[st.state] {
		return nil, fmt.Errorf("s3: stateBucket %q is also one of the world's data buckets", st.state)
	}
	if err := gofakes3.ValidateBucketName(st.state); err != nil {
		return nil, fmt.Errorf("s3 state bucket %q: %w", st.state, err)
	}
	if err := mem.CreateBucket(st.state); err != nil {
		return nil, fmt.Errorf("s3 state bucket %q: %w", st.state, err)
	}
	faker := gofakes3.New(r, gofakes3.WithTimeSource(clk), gofakes3.WithTimeSkewLimit(0))
	st.handler = faker.Server()
	return st, nil
}

// CreateBucket creates an empty bucket in memory, as deploying a stack's AWS::S3::Bucket does:
// its objects are kept like the state bucket's. A name that is taken (by a data bucket, the state
// bucket or an earlier call) is BucketAlreadyOwnedByYou, as S3 answers its owner; an invalid name
// is InvalidBucketName (S3 bucket naming rules, as gofakes3 checks them).
func (s *Sandbox) CreateBucket(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := gofakes3.ValidateBucketName(name); err != nil {
		return fmt.Errorf("create bucket %q: %w", name, err)
	}
	if exists, _ := s.s3.mem.BucketExists(name); exists || s.s3.data[name] {
		return fmt.Errorf("create bucket %q: %w", name, errors.New("BucketAlreadyOwnedByYou"))
	}
	return s.s3.mem.CreateBucket(name)
}

// s3Clock is the virtual clock as gofakes3 reads it (s.mu held).
type s3Clock struct{ s *Sandbox }

// Now returns the virtual time.
func (c s3Clock) Now() time.Time { return c.s.now() }

// Since returns the virtual time elapsed since t.
func (c s3Clock) Since(t time.Time) time.Duration { return c.s.now().Sub(t) }

// s3Router is one gofakes3 backend that sends each call to its bucket's backend: a data bucket's
// s3afero view or the in-memory backend (the state bucket, and NoSuchBucket for any other name).
// It pages every listing itself, as S3 does, because s3afero cannot, and gives every object the
// Last-Modified and Content-Type S3 always returns.
type s3Router struct {
	mem  *s3mem.Backend
	data map[string]s3DataBucket
}

// s3DataBucket is a data bucket's backend and the read-only view of its folder.
type s3DataBucket struct {
	gofakes3.Backend
	view afero.Fs
}

var _ gofakes3.Backend = (*s3Router)(nil)

func (r *s3Router) of(bucket string) gofakes3.Backend {
	if b, ok := r.data[bucket]; ok {
		return b
	}
	return r.mem
}

// describe adds what S3 returns for every object and the backend left out: a data object's
// Last-Modified (its file's modification time), and a Content-Type, by the key's extension for a
// data object, else binary/octet-stream, the default of PutObject's Content-Type (S3 API
// reference, PutObject).
func (r *s3Router) describe(bucket, key string, obj *gofakes3.Object, err error) (*gofakes3.Object, error) {
	if err != nil || obj == nil {
		return obj, err
	}
	meta := maps.Clone(obj.Metadata)
	if meta == nil {
		meta = map[string]string{}
	}
	if b, ok := r.data[bucket]; ok {
		if fi, serr := b.view.Stat(filepath.FromSlash(key)); serr == nil && meta["Last-Modified"] == "" {
			meta["Last-Modified"] = fi.ModTime().UTC().Format(http.TimeFormat)
		}
		if meta["Content-Type"] == "" {
			meta["Content-Type"] = mime.TypeByExtension(path.Ext(key))
		}
	}
	if meta["Content-Type"] == "" {
		meta["Content-Type"] = "binary/octet-stream"
	}
	obj.Metadata = meta
	return obj, nil
}

// ListBuckets lists every bucket, by name.
func (r *s3Router) ListBuckets() ([]gofakes3.BucketInfo, error) {
	out, err := r.mem.ListBuckets()
	if err != nil {
		return nil, err
	}
	for _, b := range r.data {
		bs, err := b.ListBuckets()
		if err != nil {
			return nil, err
		}
		out = append(out, bs...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// ListBucket lists a bucket one page at a time: keys and common prefixes together in key order,
// after the page's marker, at most MaxKeys of them (1,000 unless the request asks for fewer),
// IsTruncated with NextMarker when more follow. Source: the S3 API reference, ListObjectsV2
// ("Returns some or all (up to 1,000) of the objects in a bucket"; CommonPrefixes count towards
// MaxKeys). A prefix naming no folder of a data bucket lists nothing.
func (r *s3Router) ListBucket(bucket string, prefix *gofakes3.Prefix, page gofakes3.ListBucketPage) (*gofakes3.ObjectList, error) {
	all, err := r.of(bucket).ListBucket(bucket, prefix, gofakes3.ListBucketPage{})
	if errors.Is(err, fs.ErrNotExist) {
		all, err = gofakes3.NewObjectList(), nil
	}
	if err != nil {
		return nil, err
	}
	type entry struct {
		key     string
		content *gofakes3.Content
	}
	entries := make([]entry, 0, len(all.Contents)+len(all.CommonPrefixes))
	for _, c := range all.Contents {
		entries = append(entries, entry{key: c.Key, content: c})
	}
	for _, p := range all.CommonPrefixes {
		entries = append(entries, entry{key: p.Prefix})
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].key < entries[j].key })
	out := gofakes3.NewObjectList()
	for _, e := range entries {
		if page.HasMarker && e.key <= page.Marker {
			continue
		}
		if page.MaxKeys > 0 && int64(len(out.Contents)+len(out.CommonPrefixes)) == page.MaxKeys {
			out.IsTruncated = true
			break
		}
		if e.content != nil {
			out.Add(e.content)
		} else {
			out.AddPrefix(e.key)
		}
		out.NextMarker = e.key
	}
	if !out.IsTruncated {
		out.NextMarker = ""
	}
	return out, nil
}

// CreateBucket is not served (routeS3 refuses it); the state bucket is made by newS3.
func (r *s3Router) CreateBucket(name string) error { return gofakes3.ErrNotImplemented }

// BucketExists reports whether the bucket is a data bucket or exists in memory.
func (r *s3Router) BucketExists(name string) (bool, error) { return r.of(name).BucketExists(name) }

// DeleteBucket is not served.
func (r *s3Router) DeleteBucket(name string) error { return gofakes3.ErrNotImplemented }

// ForceDeleteBucket is not served.
func (r *s3Router) ForceDeleteBucket(name string) error { return gofakes3.ErrNotImplemented }

// GetObject reads an object.
func (r *s3Router) GetObject(bucket, key string, rng *gofakes3.ObjectRangeRequest) (*gofakes3.Object, error) {
	obj, err := r.of(bucket).GetObject(bucket, key, rng)
	return r.describe(bucket, key, obj, err)
}

// HeadObject reads an object's metadata.
func (r *s3Router) HeadObject(bucket, key string) (*gofakes3.Object, error) {
	obj, err := r.of(bucket).HeadObject(bucket, key)
	return r.describe(bucket, key, obj, err)
}

// DeleteObject deletes an object (s3Authorize has refused it in a data bucket).
func (r *s3Router) DeleteObject(bucket, key string) (gofakes3.ObjectDeleteResult, error) {
	return r.of(bucket).DeleteObject(bucket, key)
}

// PutObject writes an object (s3Authorize has refused it in a data bucket).
func (r *s3Router) PutObject(bucket, key string, meta map[string]string, input io.Reader, size int64, cond *gofakes3.PutConditions) (gofakes3.PutObjectResult, error) {
	return r.of(bucket).PutObject(bucket, key, meta, input, size, cond)
}

// DeleteMulti is not served (DeleteObjects).
func (r *s3Router) DeleteMulti(bucket string, keys ...string) (gofakes3.MultiDeleteResult, error) {
	return gofakes3.MultiDeleteResult{}, gofakes3.ErrNotImplemented
}

// CopyObject is not served.
func (r *s3Router) CopyObject(srcBucket, srcKey, dstBucket, dstKey string, meta map[string]string) (gofakes3.CopyObjectResult, error) {
	return gofakes3.CopyObjectResult{}, gofakes3.ErrNotImplemented
}

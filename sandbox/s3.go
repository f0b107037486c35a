package sandbox

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// s3Dir returns the local folder behind an s3:// location, or an error if the bucket is unknown.
func (s *Sandbox) s3Dir(location string) (string, error) {
	rest, ok := strings.CutPrefix(location, "s3://")
	if !ok {
		return "", fmt.Errorf("%s is not an s3:// location", location)
	}
	bucket, prefix, _ := strings.Cut(rest, "/")
	dir := s.world.BucketDir(bucket)
	if dir == "" {
		return "", fmt.Errorf("the specified bucket %s does not exist", bucket)
	}
	return filepath.Join(dir, filepath.FromSlash(strings.TrimSuffix(prefix, "/"))), nil
}

// s3CSVFiles lists the CSV objects under an s3:// location as local paths, sorted. A missing
// prefix has no objects.
func (s *Sandbox) s3CSVFiles(location string) ([]string, error) {
	dir, err := s.s3Dir(location)
	if err != nil {
		return nil, err
	}
	return csvFilesUnder(dir)
}

func csvFilesUnder(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
				return fs.SkipAll
			}
			return err
		}
		name := d.Name()
		if strings.HasPrefix(name, ".") && p != dir {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if !d.IsDir() && strings.EqualFold(filepath.Ext(name), ".csv") {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", dir, err)
	}
	sort.Strings(out)
	return out, nil
}

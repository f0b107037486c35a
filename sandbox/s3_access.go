package sandbox

import "strings"

// s3Actions are the IAM actions S3 authorizes each served operation with, and whether the
// resource is the object (arn:aws:s3:::bucket/key) rather than the bucket. Source: the S3 user
// guide, "Required permissions for Amazon S3 API operations" (HeadObject needs s3:GetObject,
// HeadBucket and ListObjectsV2 need s3:ListBucket).
var s3Actions = map[string]struct {
	action   string
	onObject bool
	write    bool
}{
	"HeadBucket":        {action: "s3:ListBucket"},
	"GetBucketLocation": {action: "s3:GetBucketLocation"},
	"ListObjects":       {action: "s3:ListBucket"},
	"ListObjectsV2":     {action: "s3:ListBucket"},
	"GetObject":         {action: "s3:GetObject", onObject: true},
	"HeadObject":        {action: "s3:GetObject", onObject: true},
	"PutObject":         {action: "s3:PutObject", onObject: true, write: true},
	"DeleteObject":      {action: "s3:DeleteObject", onObject: true, write: true},
}

// s3Authorize decides whether caller may make an S3 call, as IAM would with the world's roles
// (s.mu held), and returns S3's AccessDenied if not:
//
//   - A data bucket mirrors a folder of the world, and the world's roles may only read data
//     (Role.S3Access): writes are refused to everyone; a read needs the role's S3Access to
//     cover the object, or the listed prefix.
//   - The state bucket holds the workflow's documents: the world models no policy for it, so
//     every role may use it (the CDK stack narrows each task role to its own prefix). UNCONFIRMED
//     simplification, like ListBuckets being open to every role.
//   - A role with a permissions boundary (a DataZone environment's user role) reads data only
//     through Lake Formation: its boundary allows no direct S3 call on either kind of bucket.
//
// Any other bucket is left to gofakes3, which answers NoSuchBucket.
//
// The message is S3's for a same-account request denied by a missing allow: "User: <ARN> is not
// authorized to perform: s3:GetObject on resource: "arn:aws:s3:::bucket/key" because no
// identity-based policy allows the s3:GetObject action" (S3 user guide, "Troubleshoot access
// denied (403 Forbidden) errors in Amazon S3", and the IAM user guide's access denied message
// format; "no permissions boundary allows" for the boundary).
func (s *Sandbox) s3Authorize(caller, op, bucket, key, prefix string) *apiError {
	a, ok := s3Actions[op]
	data, state := s.s3.data[bucket], bucket == s.s3.state
	if !ok || (!data && !state) {
		return nil
	}
	resource, location := "arn:aws:s3:::"+bucket, "s3://"+bucket+"/"+prefix
	if a.onObject {
		resource, location = resource+"/"+key, "s3://"+bucket+"/"+key
	}
	switch {
	case s.roleHasBoundary(caller):
		return s.s3Denied403(caller, a.action, resource, "no permissions boundary allows")
	case state:
		return nil
	case a.write || !s.roleS3ReadAccess(caller, location):
		return s.s3Denied403(caller, a.action, resource, "no identity-based policy allows")
	}
	return nil
}

// roleS3ReadAccess reports whether the role's S3Access covers an object or a listed prefix: the
// folder it is in (everything up to its last "/").
func (s *Sandbox) roleS3ReadAccess(arn, location string) bool {
	return s.roleS3Access(arn, location[:strings.LastIndex(location, "/")+1])
}

// s3Denied403 is S3's AccessDenied for caller's action on resource.
func (s *Sandbox) s3Denied403(caller, action, resource, because string) *apiError {
	return errorf(403, "AccessDenied", "User: %s is not authorized to perform: %s on resource: %q because %s the %s action",
		s.assumedRoleARN(caller), action, resource, because, action)
}

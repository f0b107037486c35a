package docstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/dzonboard/dzonboard/tasks/awsapi"
)

// contentType is the Content-Type of every document.
const contentType = "application/json"

// Store writes and reads JSON documents, one per S3 object.
type Store struct {
	api awsapi.StateObjects
}

// New returns a Store that calls S3 through api (an *s3.Client).
func New(api awsapi.StateObjects) *Store {
	return &Store{api: api}
}

// Put writes v, encoded as JSON, as the object bucket/key, replacing the document there. S3
// writes an object whole or not at all: a reader sees the old document or the new one.
func (s *Store) Put(ctx context.Context, bucket, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return awsapi.Classify("write document "+uri(bucket, key), fmt.Errorf("encode as JSON: %w", err))
	}
	return s.PutBytes(ctx, bucket, key, b, Encoding{})
}

// Encoding is how a document's bytes are encoded: ContentEncoding "gzip" for compressed JSON,
// "" for plain JSON.
type Encoding struct{ ContentEncoding string }

// PutBytes writes b, a JSON document encoded as enc says, as the object bucket/key.
func (s *Store) PutBytes(ctx context.Context, bucket, key string, b []byte, enc Encoding) error {
	in := &s3.PutObjectInput{
		Bucket:        aws.String(bucket),
		Key:           aws.String(key),
		Body:          bytes.NewReader(b),
		ContentLength: aws.Int64(int64(len(b))),
		ContentType:   aws.String(contentType),
	}
	if enc.ContentEncoding != "" {
		in.ContentEncoding = aws.String(enc.ContentEncoding)
	}
	_, err := s.api.PutObject(ctx, in)
	return awsapi.Classify("write document "+uri(bucket, key), err)
}

// Get reads the document at bucket/key into v, as json.Unmarshal does. A key with no document
// is a ServiceError wrapping a *NotFoundError.
func (s *Store) Get(ctx context.Context, bucket, key string, v any) error {
	b, err := s.GetBytes(ctx, bucket, key)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return awsapi.Classify("read document "+uri(bucket, key), fmt.Errorf("decode JSON: %w", err))
	}
	return nil
}

// GetBytes reads the bytes of the object bucket/key, as they were written. A key with no
// document is a ServiceError wrapping a *NotFoundError.
func (s *Store) GetBytes(ctx context.Context, bucket, key string) ([]byte, error) {
	body, err := s.Open(ctx, bucket, key)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	b, err := io.ReadAll(body)
	if err != nil {
		return nil, awsapi.Classify("read document "+uri(bucket, key), fmt.Errorf("read the object: %w", err))
	}
	return b, nil
}

// Open returns the body of the object bucket/key, to be read as it arrives and closed. A key with
// no document is a ServiceError wrapping a *NotFoundError.
func (s *Store) Open(ctx context.Context, bucket, key string) (io.ReadCloser, error) {
	out, err := s.api.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		var nsk *s3types.NoSuchKey
		if errors.As(err, &nsk) {
			err = &NotFoundError{Bucket: bucket, Key: key, Err: err}
		}
		return nil, awsapi.Classify("read document "+uri(bucket, key), err)
	}
	return out.Body, nil
}

// NotFoundError is a Get of a key that holds no document: it was never written, or it was
// deleted (or expired) since. Err is S3's NoSuchKey.
type NotFoundError struct {
	Bucket, Key string
	Err         error
}

func (e *NotFoundError) Error() string {
	return "no such document (S3 NoSuchKey): it was never written, or it was deleted or expired since"
}

func (e *NotFoundError) Unwrap() error { return e.Err }

// uri is the s3:// URI of an object.
func uri(bucket, key string) string { return "s3://" + bucket + "/" + key }

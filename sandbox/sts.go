package sandbox

import (
	"encoding/xml"
	"strings"
)

// xmlHandler serves one awsQuery operation; its result is marshalled as XML.
type xmlHandler func(s *Sandbox, r *request) (any, error)

// stsOps are the STS operations, by Action.
var stsOps = map[string]xmlHandler{
	"GetCallerIdentity": stsGetCallerIdentity,
}

type stsGetCallerIdentityResponse struct {
	XMLName   xml.Name                   `xml:"https://sts.amazonaws.com/doc/2011-06-15/ GetCallerIdentityResponse"`
	Result    stsGetCallerIdentityResult `xml:"GetCallerIdentityResult"`
	RequestID string                     `xml:"ResponseMetadata>RequestId"`
}

type stsGetCallerIdentityResult struct {
	Arn     string `xml:"Arn"`
	UserID  string `xml:"UserId"`
	Account string `xml:"Account"`
}

type stsErrorResponse struct {
	XMLName   xml.Name `xml:"https://sts.amazonaws.com/doc/2011-06-15/ ErrorResponse"`
	Error     stsError `xml:"Error"`
	RequestID string   `xml:"RequestId"`
}

type stsError struct {
	Type    string `xml:"Type"`
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

// stsGetCallerIdentity answers with the caller's assumed-role session.
func stsGetCallerIdentity(s *Sandbox, r *request) (any, error) {
	return stsGetCallerIdentityResponse{
		Result: stsGetCallerIdentityResult{
			Arn:     s.assumedRoleARN(r.caller),
			UserID:  roleUniqueID(r.caller) + ":dzonboard",
			Account: s.world.Account,
		},
		RequestID: "00000000-0000-4000-8000-000000000000",
	}, nil
}

// roleUniqueID is a stable AROA... unique ID derived from the role ARN.
func roleUniqueID(arn string) string {
	var h uint64 = 1469598103934665603
	for i := 0; i < len(arn); i++ {
		h = (h ^ uint64(arn[i])) * 1099511628211
	}
	var b strings.Builder
	b.WriteString("AROA")
	for i := 0; i < 17; i++ {
		h = splitmix(h)
		b.WriteByte(akidAlphabet[h%uint64(len(akidAlphabet))])
	}
	return b.String()
}

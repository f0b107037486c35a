package sandbox

// athenaErrorClass is a failed query's AthenaError.ErrorCategory and ErrorType, from Athena's
// error catalog (Athena user guide, "Athena error catalog", error-reference): categories 1 SYSTEM,
// 2 USER, 3 OTHER; types such as 1006 "Syntax error", 1110 "Provided table or view does not
// exist", 1500 "Permission error", 1501 "Amazon S3 permission error".
type athenaErrorClass struct{ category, typ int }

// athenaErrorClasses maps the kind of a failed query to its class, so that a client can match on
// the class instead of the message. Kinds not listed are user errors of type 1000 "User error".
var athenaErrorClasses = map[string]athenaErrorClass{
	// Lake Formation refused the caller (table, resource link or the default database): 1500
	// "Permission error". UNCONFIRMED: the catalog also lists 234 "Lake Formation error" among the
	// engine's errors; the sandbox reads that as a failure of Lake Formation itself, not a refusal.
	kindLakeFormationDenied: {2, 1500},
	// S3 refused the caller: 1501 "Amazon S3 permission error".
	kindS3Denied: {2, 1501},
	// 1110 "Provided table or view does not exist".
	"TABLE_NOT_FOUND": {2, 1110},
	// 1301 "General entity not found" (UNCONFIRMED for a missing schema).
	"SCHEMA_NOT_FOUND": {2, 1301},
	// 1006 "Syntax error"; Trino reports an unknown column during analysis, as it does syntax
	// errors (UNCONFIRMED for COLUMN_NOT_FOUND).
	"SYNTAX_ERROR":     {2, 1006},
	"COLUMN_NOT_FOUND": {2, 1006},
	// 1303 "Provided function or function implementation not found".
	"FUNCTION_NOT_FOUND": {2, 1303},
	// 1001 "Data error" (UNCONFIRMED for a failed cast).
	"INVALID_CAST_ARGUMENT": {2, 1001},
	// 200 "Query engine had an internal error".
	"GENERIC_INTERNAL_ERROR": {1, 200},
}

// athenaErrorOf returns the class of a failed query's kind.
func athenaErrorOf(kind string) athenaErrorClass {
	if c, ok := athenaErrorClasses[kind]; ok {
		return c
	}
	return athenaErrorClass{2, 1000}
}

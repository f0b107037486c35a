package local

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/dzonboard/dzonboard/workflow"
)

// taskOutcome is what a Task state receives from its function: the output JSON, or the error
// name and cause Step Functions would report for a Lambda function error.
type taskOutcome struct {
	Output json.RawMessage
	Error  string
	Cause  string
}

// invoke calls a handler the way the Lambda runtime does: JSON bytes in, JSON bytes out, with an
// invocation context and the state's timeout as deadline. An error (or panic) becomes the Lambda
// error payload {"errorMessage","errorType"}, which Step Functions reports as the Cause, with
// errorType as the Error.
//
// With a crash plan, the invocation dies after the planned AWS call (see Crash).
func invoke(ctx context.Context, h lambda.Handler, st taskState, requestID string, input json.RawMessage, plan *crashPlan) taskOutcome {
	ctx, cancel := context.WithTimeout(withCrash(ctx, plan), st.Timeout)
	defer cancel()
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{
		AwsRequestID:       requestID,
		InvokedFunctionArn: st.Resource,
	})
	out, fnErr := call(ctx, h, input)
	if plan != nil && plan.crashed {
		return crashed(requestID)
	}
	if fnErr != nil {
		payload, err := json.Marshal(fnErr)
		if err != nil {
			payload, _ = json.Marshal(messages.InvokeResponse_Error{Type: "Runtime.SerializationError", Message: err.Error()})
		}
		return taskOutcome{Error: fnErr.Type, Cause: string(payload)}
	}
	out = bytes.TrimSpace(out)
	if len(out) == 0 {
		out = []byte("null")
	}
	if !json.Valid(out) {
		return taskOutcome{Error: "States.Runtime", Cause: fmt.Sprintf("task %s returned output that is not JSON", st.Task)}
	}
	// Copy: aws-lambda-go hands back a pooled buffer that the next invocation reuses.
	return taskOutcome{Output: bytes.Clone(out)}
}

// call runs the handler, turning its error or panic into the Lambda error response, as
// aws-lambda-go's invoke loop does.
func call(ctx context.Context, h lambda.Handler, input []byte) (out []byte, fnErr *messages.InvokeResponse_Error) {
	defer func() {
		if v := recover(); v != nil {
			if ive, ok := v.(messages.InvokeResponse_Error); ok {
				fnErr = &ive
				return
			}
			fnErr = &messages.InvokeResponse_Error{Message: fmt.Sprint(v), Type: typeName(v)}
		}
	}()
	out, err := h.Invoke(ctx, input)
	if err != nil {
		if ive, ok := err.(messages.InvokeResponse_Error); ok {
			return nil, &ive
		}
		return nil, &messages.InvokeResponse_Error{Message: err.Error(), Type: workflow.ErrorName(err)}
	}
	return out, nil
}

func typeName(v any) string {
	t := reflect.TypeOf(v)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}

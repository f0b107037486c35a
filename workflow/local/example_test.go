package local_test

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/dzonboard/dzonboard/workflow/local"
)

// Run answers each Task state with a Go handler and turns every Wait into an advance of a
// virtual clock, so a workflow that waits for minutes runs in a moment. The sandbox's Advance and
// Now plug in here; this example uses a plain variable as the clock.
func ExampleRun() {
	asl := []byte(`{
	  "StartAt": "Greet",
	  "States": {
	    "Greet": {"Type": "Task", "Resource": "${GreetFunctionArn}", "Next": "Nap"},
	    "Nap":   {"Type": "Wait", "Seconds": 90, "Next": "Shout"},
	    "Shout": {"Type": "Task", "Resource": "${ShoutFunctionArn}", "End": true}
	  }
	}`)
	now := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	type msg struct {
		Text string `json:"text"`
		At   string `json:"at,omitempty"`
	}
	res, err := local.Run(context.Background(), local.Options{
		ASL: asl,
		Handlers: map[string]lambda.Handler{
			"Greet": lambda.NewHandler(func(_ context.Context, in msg) (msg, error) {
				return msg{Text: "hello " + in.Text}, nil
			}),
			"Shout": lambda.NewHandler(func(_ context.Context, in msg) (msg, error) {
				return msg{Text: in.Text + "!", At: now.Format(time.Kitchen)}, nil
			}),
		},
		Input:   []byte(`{"text":"world"}`),
		Advance: func(d time.Duration) { now = now.Add(d) },
		Now:     func() time.Time { return now },
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Status, res.Path)
	fmt.Println(string(res.Output))
	// Output:
	// SUCCEEDED [Greet Nap Shout]
	// {"text":"hello world!","at":"9:01AM"}
}

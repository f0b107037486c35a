# dzonboard: `make demo` runs the whole onboarding on the embedded sandbox; `make test` runs every
# check CI runs. Each target installs what it needs (Go modules; npm tools from package-lock.json).

SHELL      := /bin/bash
GO         ?= go
NPM_STAMP  := node_modules/.dzonboard-npm-ci
export CDK_DISABLE_CLI_TELEMETRY := true
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION := 1

.PHONY: all demo test unit lint asl lambda synth check-template bench bench-10k build deps clean

all: build

# npm ci only when package-lock.json changed since the last install.
$(NPM_STAMP): package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

deps: $(NPM_STAMP)
	$(GO) mod download

build: deps
	$(GO) build ./...

## demo: onboard examples/sandbox.json on the default sandbox world (no AWS account needed).
demo: deps
	$(GO) run ./cmd/dzonboard run-local --input examples/sandbox.json

## test: lint, ASL validation, every Go test (sandbox, tasks, whole workflow, CDK + cdk-nag), synth
## and the template checks.
test: lint asl unit synth check-template

unit: deps
	$(GO) test -count=1 -timeout 20m ./...

lint:
	@unformatted=$$(find . -name '*.go' -not -path './node_modules/*' -not -path './build/*' | xargs gofmt -l); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi
	$(GO) vet ./...
	@$(GO) mod tidy -diff > /dev/null || { echo "go.mod/go.sum are not tidy: run go mod tidy"; $(GO) mod tidy -diff; exit 1; }

asl: $(NPM_STAMP)
	npx --no-install asl-validator --json-path statemachine.asl.json

## lambda: the one task binary, as Lambda's provided.al2023 on arm64 wants it.
lambda:
	@mkdir -p build/lambda
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build -tags lambda.norpc -trimpath -ldflags='-s -w' -o build/lambda/bootstrap ./cmd/task

## synth: the CloudFormation template, offline.
synth: deps lambda
	npx --no-install cdk synth --no-notices --quiet -o build/cdk.out > /dev/null
	@echo "template: build/cdk.out/$$(ls build/cdk.out | grep -m1 template.json)"

# EXAMPLE_CONTEXT sets every context key (the sandbox world's IDs), so that check-template also
# sees what only a configured stack has: the memberships, the schedule with its dead-letter queue
# and alarms, the e-mail subscription.
EXAMPLE_CONTEXT := -c domainId=dzd_5xk2q8m1v3c9tb -c producerProjectId=b3n7k2q9x1m4zd \
	-c consumerProjectIds=e4p8s2k7w1n5qa -c crawlerNames=acme-sales-orders -c glueDatabases=acme_sales \
	-c 'schedule=cron(0 6 * * ? *)' -c scheduleInputFile=examples/sandbox.json \
	-c alarmEmail=data-platform@example.com

## check-template: every template check (infra/templatecheck, cdk-nag) on the template `make synth`
## writes from cdk.json (what `cdk deploy` would deploy) and on one with every context key set;
## one line per check.
check-template: synth
	npx --no-install cdk synth --no-notices --quiet $(EXAMPLE_CONTEXT) -o build/cdk.out.example > /dev/null
	$(GO) run ./infra/checktemplate build/cdk.out build/cdk.out.example

## bench: performance targets: the scale table (1, 100 and 1,000 tables), the slow world, the
## sandbox cost of one onboarding, and the other benchmarks.
bench: deps
	$(GO) test -run NONE -bench . -benchmem -timeout 60m ./...

## bench-10k: the scale table with 10,000 tables too (several minutes).
bench-10k: deps
	$(GO) test -run NONE -bench BenchmarkScale -benchtime 1x -timeout 120m ./workflow/e2e -scale10k

clean:
	rm -rf build

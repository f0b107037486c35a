// driver.mjs runs one execution of a state machine on aws-local-stepfunctions for the Go runner
// in package local (workflow/local), which embeds this file, writes it to a temporary directory
// and starts `node driver.mjs <node_modules>`.
//
// Protocol: one JSON object per line.
//   stdin  (Go -> node): {"definition", "input", "context", "startTime"} once, then one
//                        {"id", "output"} or {"id", "error", "cause"} per task invocation, and
//                        {"type":"abort","error","cause"} when the Go side fails the execution
//                        where it is (an error no Catch handles: States.Runtime for a Wait it
//                        cannot read, States.DataLimitExceeded).
//   stdout (node -> Go): {"type":"event","event":{...}} for every event of the engine's event log,
//                        {"type":"invoke","id","state","resource","input"} for every Task attempt,
//                        {"type":"done","status","output"|"error","cause"} once at the end,
//                        {"type":"fatal","message"} when the execution could not run.
// Every Wait state is overridden to 0 ms and every retry interval to 0 ms: the Go side reads each
// Wait's duration from the definition and advances its virtual clock by it instead. A task
// invocation is sent only after the event log has delivered the StateEntered (or StateRetried)
// event of that attempt, so the Go side has seen every earlier Wait before it answers the task.
import { createRequire } from 'node:module';
import path from 'node:path';
import readline from 'node:readline';

// aws-local-stepfunctions 3.0.0 declares Node >= 22; on Node 20 it lacks only this.
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers() {
    let resolve;
    let reject;
    const promise = new this((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

function send(msg) {
  process.stdout.write(JSON.stringify(msg) + '\n');
}

function fatal(message) {
  send({ type: 'fatal', message });
  process.exitCode = 1;
}

// loadEngine loads the engine from the project's node_modules.
function loadEngine(nodeModules) {
  const req = createRequire(path.join(path.resolve(nodeModules), 'dzonboard-driver.cjs'));
  const enginePath = req.resolve('aws-local-stepfunctions');
  const engine = req(enginePath);
  return { engine };
}

// collectStates returns every state of a definition by name, nested Parallel branches and Map
// iterators included.
function collectStates(definition, into = {}) {
  for (const [name, state] of Object.entries(definition?.States ?? {})) {
    into[name] = state;
    for (const branch of state.Branches ?? []) collectStates(branch, into);
    if (state.Iterator) collectStates(state.Iterator, into);
    if (state.ItemProcessor) collectStates(state.ItemProcessor, into);
  }
  return into;
}

// atTime runs fn with Date frozen at ms. The engine builds $$.Execution.StartTime from `new Date()`
// synchronously inside run(), so this gives the execution the Go side's (virtual) start time.
function atTime(ms, fn) {
  const RealDate = globalThis.Date;
  globalThis.Date = class extends RealDate {
    constructor(...args) {
      super(...(args.length ? args : [ms]));
    }

    static now() {
      return ms;
    }
  };
  try {
    return fn();
  } finally {
    globalThis.Date = RealDate;
  }
}

function main() {
  const nodeModules = process.argv[2];
  let engine;
  try {
    ({ engine } = loadEngine(nodeModules));
  } catch (err) {
    fatal(`load aws-local-stepfunctions from ${nodeModules}: ${err.message}`);
    return;
  }

  const pending = new Map(); // invocation id -> resolver
  let started = false;
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  rl.on('line', (line) => {
    if (line.trim() === '') return;
    let msg;
    try {
      msg = JSON.parse(line);
    } catch (err) {
      fatal(`read message: ${err.message}`);
      process.exit();
    }
    if (!started) {
      started = true;
      start(msg);
      return;
    }
    if (msg.type === 'abort') {
      abortExecution({ error: msg.error, cause: msg.cause });
      return;
    }
    const resolver = pending.get(msg.id);
    if (!resolver) {
      fatal(`answer to unknown invocation ${msg.id}`);
      process.exit();
    }
    pending.delete(msg.id);
    resolver(msg);
  });
  let finished = false;
  let abortExecution = () => {};
  rl.on('close', () => {
    // The Go side went away: nothing can answer the tasks any more.
    if (!finished) process.exit(1);
  });

  function start({ definition, input, context, startTime }) {
    const states = collectStates(definition);
    const waitTimeOverrides = {};
    const retryIntervalOverrides = {};
    const taskResourceLocalHandlers = {};
    for (const [name, state] of Object.entries(states)) {
      if (state.Type === 'Wait') waitTimeOverrides[name] = 0;
      if (state.Retry) retryIntervalOverrides[name] = 0;
      if (state.Type === 'Task') taskResourceLocalHandlers[name] = taskHandler(name, state);
    }

    // Attempts seen in the event log, and attempts invoked, per Task state.
    const seen = {};
    const invoked = {};
    const waiters = [];
    function notify() {
      for (let i = waiters.length - 1; i >= 0; i--) {
        const w = waiters[i];
        if ((seen[w.name] ?? 0) >= w.attempt) {
          waiters.splice(i, 1);
          w.resolve();
        }
      }
    }
    function caughtUp(name, attempt) {
      if ((seen[name] ?? 0) >= attempt) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ name, attempt, resolve }));
    }

    let nextID = 0;
    function taskHandler(name, state) {
      return async (taskInput) => {
        invoked[name] = (invoked[name] ?? 0) + 1;
        await caughtUp(name, invoked[name]);
        if (failure) return new Promise(() => {}); // the execution has failed; never answer
        nextID += 1;
        const id = nextID;
        const answer = new Promise((resolve) => pending.set(id, resolve));
        send({ type: 'invoke', id, state: name, resource: state.Resource, input: taskInput });
        const msg = await answer;
        if (msg.error !== undefined) {
          const err = new Error(msg.cause ?? '');
          err.name = msg.error;
          throw err;
        }
        return msg.output ?? null;
      };
    }

    let machine;
    try {
      machine = new engine.StateMachine(definition);
    } catch (err) {
      fatal(err.message);
      process.exit();
    }
    let failure = null; // set when the driver itself fails the execution
    const execution = atTime(startTime, () => machine.run(input, {
      overrides: { taskResourceLocalHandlers, waitTimeOverrides, retryIntervalOverrides },
      context,
      noThrowOnAbort: true,
    }));

    abortExecution = (f) => {
      // Step Functions fails the execution here and no Catch handles it.
      if (failure) return;
      failure = f;
      execution.abort();
    };

    const forwarded = (async () => {
      for await (const event of execution.eventLogs) {
        if (failure) break;
        send({ type: 'event', event });
        if (event.state && (event.type === 'StateEntered' || event.type === 'StateRetried')) {
          seen[event.state.name] = (seen[event.state.name] ?? 0) + 1;
          notify();
        }
      }
    })();

    (async () => {
      let outcome;
      try {
        const output = await execution.result;
        outcome = failure ? { status: 'FAILED', ...failure } : { status: 'SUCCEEDED', output };
      } catch (err) {
        if (err instanceof engine.ExecutionTimeoutError) {
          outcome = { status: 'FAILED', error: 'States.Timeout', cause: 'The execution timed out.' };
        } else {
          const cause = err instanceof engine.ExecutionError && err.cause ? err.cause : err;
          outcome = { status: 'FAILED', error: cause.name ?? 'Error', cause: String(cause.message ?? '') };
        }
      }
      await forwarded;
      finished = true;
      // Exit at once: an aborted execution may leave engine timers behind.
      process.stdout.write(JSON.stringify({ type: 'done', ...outcome }) + '\n', () => process.exit(0));
    })().catch((err) => {
      fatal(`run: ${err.stack ?? err}`);
      process.exit();
    });
  }
}

main();

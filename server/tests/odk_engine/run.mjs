// The ODK side of the runtime differential test (server/tests/api/forms_odk.rs): ODK's own XForms
// engine (@getodk/xforms-engine, the engine behind ODK Web Forms, pinned in package-lock.json)
// fills XForms headless and reports what it shows after every step.
//
//   node run.mjs NOW_MS      reads cases from stdin, one JSON line each:
//                              {"id", "xform", "steps": [{"path", "value"} | {"path", "count"}]}
//                            and prints one JSON line per case, in order:
//                              {"id", "error", "states": [initial, after step 1, ...]}
//
// A state is {"nodes": {path: node}, "counts": {path: n}, "step_error"}, with paths in Terreno's
// addressing (`group/q`, `hh[2]/q`: the XForm reference without its root element) and a node
// {"r": relevant, "q": required and missing, "c": constraint refused, "v": value, "o": offered
// choices}, where "q", "c", "v" and "o" are left out where they do not apply (groups, non-selects).
// A value step sets an answer ("" clears it, a select's is its choices separated by spaces); a
// count step adds or removes instances at the end of an open repeat until it holds `count`.
// Open repeats start empty, as Terreno's do (see emptyOpenRepeats).
//
// The clock is frozen at NOW_MS (milliseconds since the epoch; the caller sets TZ) so `today()`,
// `now()` and the start/end preloads agree with the Env Terreno's engine is given. One process
// runs every case: the engine's start-up (its XPath parser is WebAssembly) is paid once.

import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JSDOM } from 'jsdom';

const now = Number(process.argv[2]);
if (!Number.isFinite(now)) {
  process.stderr.write('usage: node run.mjs NOW_MS < cases.jsonl\n');
  process.exit(2);
}

// A frozen clock: `new Date()` and `Date.now()` (which Temporal's polyfill reads) give NOW_MS.
const RealDate = Date;
globalThis.Date = class extends RealDate {
  constructor(...args) {
    super(...(args.length === 0 ? [now] : args));
  }

  static now() {
    return now;
  }
};

// The engine runs in browsers, and in Node under jsdom (its own tests do): it parses the XForm
// with DOMParser and queries the body with selectors.
const { window } = new JSDOM('');
for (const name of ['DOMParser', 'Node', 'document', 'XMLSerializer', 'Element', 'Document']) {
  globalThis[name] = window[name];
}
// Its bundled tree-sitter (the XPath parser) takes the CommonJS branch under Node and names
// `__dirname` and `module`, which an ES module does not have.
globalThis.__dirname = join(dirname(fileURLToPath(import.meta.url)), 'node_modules/@getodk/xforms-engine/dist');
globalThis.module = {};
const { createInstance } = await import('@getodk/xforms-engine');

// External files (CSV, XML, GeoJSON attachments) are not sent: they load as blank. The device's
// properties are those the Rust side records as answers (forms_odk/steps.rs).
const options = {
  form: {
    fetchFormAttachment: async () => new Response('', { status: 404 }),
    missingResourceBehavior: 'BLANK',
  },
  instance: {
    preloadProperties: {
      deviceID: 'collect:odkdiff0001',
      username: 'amina',
      email: 'amina@example.org',
      phoneNumber: '+254712345678',
    },
  },
};

/** The node's path in Terreno's addressing: its reference without `/root/`. */
const path = (node) => node.currentState.reference.replace(/^\/[^/]+\/?/, '');

/** Every node of the tree below `root`, by path, and what a state reports of each. */
function snapshot(root) {
  const nodes = {};
  const counts = {};
  const byPath = new Map();
  const walk = (node) => {
    const state = node.currentState;
    const p = path(node);
    byPath.set(p, node);
    if (node.nodeType.startsWith('repeat-range')) {
      counts[p] = state.children.length;
    } else if (node.nodeType !== 'root') {
      nodes[p] = describe(node);
    }
    for (const child of state.children ?? []) {
      walk(child);
    }
  };
  walk(root);
  return { nodes, counts, byPath };
}

function describe(node) {
  const state = node.currentState;
  const out = { r: state.relevant };
  const validation = node.validationState;
  if (validation && 'constraint' in validation) {
    out.q = !validation.required.valid;
    out.c = !validation.constraint.valid;
    out.v = state.instanceValue ?? '';
  }
  if (node.nodeType === 'select' || node.nodeType === 'rank') {
    out.o = state.valueOptions.map((item) => item.value);
  }
  return out;
}

/** Applies one step; a message where the engine refused it or the path is unknown. */
function apply(byPath, step) {
  const node = byPath.get(step.path);
  if (!node) {
    return `no node at ${step.path}`;
  }
  if ('count' in step) {
    if (node.nodeType !== 'repeat-range:uncontrolled') {
      return `${step.path} is a ${node.nodeType}, not an open repeat`;
    }
    const have = node.currentState.children.length;
    if (step.count > have) {
      node.addInstances(have - 1, step.count - have);
      node.currentState.children.slice(have).forEach(emptyOpenRepeats);
    } else if (step.count < have) {
      node.removeInstances(step.count, have - step.count);
    }
    return null;
  }
  const value = step.value;
  const words = value.split(' ').filter((w) => w !== '');
  switch (node.nodeType) {
    case 'select':
      node.selectValues(words);
      return null;
    case 'rank':
      node.setValues(words);
      return null;
    case 'trigger':
      node.setValue(value !== '');
      return null;
    case 'upload':
      node.setValue(value === '' ? null : new File([''], value));
      return null;
    case 'input':
    case 'range':
      node.setValue(value);
      return null;
    default:
      return `${step.path} is a ${node.nodeType}: nothing to answer`;
  }
}

/**
 * Removes every instance of the open repeats below `node`: in Terreno an open repeat has only
 * the instances the collector added, where ODK's engine starts one from pyxform's instance (and
 * from the template in a new instance of an enclosing repeat). Steps add them back.
 */
function emptyOpenRepeats(node) {
  for (const child of node.currentState.children ?? []) {
    if (child.nodeType === 'repeat-range:uncontrolled') {
      const have = child.currentState.children.length;
      if (have > 0) {
        child.removeInstances(0, have);
      }
    } else {
      emptyOpenRepeats(child);
    }
  }
}

const message = (e) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

async function run(input) {
  let root;
  try {
    ({ root } = await createInstance(input.xform, options));
    emptyOpenRepeats(root);
  } catch (e) {
    return { id: input.id, error: message(e), states: [] };
  }
  const states = [];
  let current = snapshot(root);
  states.push({ nodes: current.nodes, counts: current.counts, step_error: null });
  for (const step of input.steps) {
    let stepError;
    try {
      stepError = apply(current.byPath, step);
    } catch (e) {
      stepError = message(e);
    }
    current = snapshot(root);
    states.push({ nodes: current.nodes, counts: current.counts, step_error: stepError });
  }
  return { id: input.id, error: null, states };
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (line.trim() === '') {
    continue;
  }
  const input = JSON.parse(line);
  let out;
  try {
    out = await run(input);
  } catch (e) {
    out = { id: input.id, error: message(e), states: [] };
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

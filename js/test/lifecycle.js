// The runner of testvectors/lifecycle/scenarios.json (its README has the
// format), shared by Node (session.test.js, a directory store) and
// Chromium (browser/session.html, the localStorage store): it drives the
// test issuer's controls and a session through an environment, and reads
// the file strictly — an unknown member, step or expectation fails the
// scenario rather than being skipped. Nothing here imports Node modules.

export const SCHEMA = 'licverify-lifecycle-v1';

// Every action a step may have (exactly one, `expect` only with `check`).
const ACTIONS = ['issuer', 'revoke', 'restore', 'advance', 'session_clock', 'unreachable', 'restart', 'crash', 'tamper', 'check'];
const EXPECTS = ['valid', 'code', 'refresh', 'sync', 'offline', 'stored_epoch', 'hits', 'files'];
const SESSION = ['ttl_hours', 'timeout_ms', 'policy'];
const SCENARIO = ['id', 'comment', 'steps'];

const camel = (name) => name.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());

/**
 * checkFile returns the problems of a scenario file's shape, [] when it
 * is one this runner knows in full.
 */
export function checkFile(file) {
  const bad = [];
  const only = (obj, allowed, where) => {
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return void bad.push(`${where}: not an object`);
    for (const k of Object.keys(obj)) if (!allowed.includes(k)) bad.push(`${where}: unknown member ${JSON.stringify(k)}`);
  };
  only(file, ['schema', 'session', 'scenarios'], 'file');
  if (file?.schema !== SCHEMA) bad.push(`file: schema ${JSON.stringify(file?.schema)}, want ${SCHEMA}`);
  only(file?.session, SESSION, 'session');
  if (!Array.isArray(file?.scenarios) || file.scenarios.length === 0) bad.push('file: no scenarios');
  const ids = new Set();
  for (const [i, sc] of (file?.scenarios ?? []).entries()) {
    const where = `scenario ${sc?.id ?? i}`;
    only(sc, SCENARIO, where);
    if (typeof sc?.id !== 'string' || ids.has(sc.id)) bad.push(`${where}: missing or repeated id`);
    ids.add(sc?.id);
    if (!Array.isArray(sc?.steps) || sc.steps.length === 0) bad.push(`${where}: no steps`);
    for (const [j, step] of (sc?.steps ?? []).entries()) {
      const at = `${where} step ${j + 1}`;
      const keys = Object.keys(step ?? {});
      const actions = keys.filter((k) => ACTIONS.includes(k));
      if (actions.length !== 1) bad.push(`${at}: ${actions.length} actions (${JSON.stringify(step)})`);
      for (const k of keys) {
        if (ACTIONS.includes(k)) continue;
        if (k === 'expect' && step.check !== undefined) continue;
        bad.push(`${at}: unknown member ${JSON.stringify(k)}`);
      }
      if (step?.check !== undefined) {
        only(step.check, [], `${at} check`);
        only(step.expect ?? {}, EXPECTS, `${at} expect`);
        if (step.expect?.hits !== undefined) only(step.expect.hits, ['proof', 'revocation'], `${at} expect.hits`);
      }
      if (step?.issuer !== undefined) only(step.issuer, ['proof', 'revocation'], `${at} issuer`);
      if (step?.crash !== undefined && !['set_written', 'proof_written'].includes(step.crash)) bad.push(`${at}: unknown crash ${JSON.stringify(step.crash)}`);
    }
  }
  return bad;
}

/** policyOf turns the file's policy (snake_case) into the session's (camelCase). */
export const policyOf = (policy) => Object.fromEntries(Object.entries(policy ?? {}).map(([k, v]) => [camel(k), v]));

/** outcomeText is what a report says was done, in the file's words. */
export function outcomeText(done) {
  if (done.done === 'refused') return `refused:${done.code}`;
  return done.done;
}

const iso = (ms) => {
  const s = new Date(ms).toISOString();
  return s.endsWith('.000Z') ? `${s.slice(0, -5)}Z` : s;
};

// same compares JSON values.
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/**
 * runScenario runs one scenario and resolves to its failures (strings),
 * [] when every expectation held. env supplies the I/O:
 *   control(path, body?)      → the issuer control's JSON answer (POST when body is given)
 *   controlText(path)         → a GET control's body text
 *   createSession(options)    → a session (the package's createSession)
 *   store()                   → a new store object over the scenario's store
 *   transport(reachable)      → the transport to the issuer, or to a closed port
 *   readEntry(name)           → an entry's text, or null
 *   writeEntry(name, text)    → writes an entry's text
 *   info                      → the issuer's startup line
 *   session                   → the file's session member
 */
export async function runScenario(sc, env) {
  const failures = [];
  const state = await env.control('/_test/reset', {});
  let issuerNow = Date.parse(state.now);
  let clock = issuerNow;
  let reachable = true;
  const transport = {
    fetchProof: (r) => env.transport(reachable).fetchProof(r),
    fetchRevocation: (e) => env.transport(reachable).fetchRevocation(e),
  };
  const open = () =>
    env.createSession({
      keys: env.info.keys,
      licenseId: env.info.license_id,
      fingerprint: env.info.fingerprint,
      store: env.store(),
      transport,
      policy: policyOf(env.session.policy),
      ttlHours: env.session.ttl_hours,
      now: () => new Date(clock),
    });
  let session = open();
  const track = (answer) => {
    if (typeof answer?.now === 'string') issuerNow = Date.parse(answer.now);
    return answer;
  };

  for (const [i, step] of sc.steps.entries()) {
    const at = `step ${i + 1} ${JSON.stringify(step)}`;
    if (step.issuer !== undefined) {
      track(await env.control('/_test/mode', step.issuer));
    } else if (step.revoke !== undefined) {
      track(await env.control('/_test/revoke', { license_id: step.revoke }));
    } else if (step.restore !== undefined) {
      track(await env.control('/_test/restore', { license_id: step.restore }));
    } else if (step.advance !== undefined) {
      issuerNow += step.advance * 1000;
      clock += step.advance * 1000;
      track(await env.control('/_test/clock', { now: iso(issuerNow) }));
    } else if (step.session_clock !== undefined) {
      clock = Date.parse(step.session_clock);
      if (!Number.isFinite(clock)) throw new Error(`${at}: not a time`);
    } else if (step.unreachable !== undefined) {
      reachable = !step.unreachable;
    } else if (step.restart !== undefined) {
      session = open();
    } else if (step.crash !== undefined) {
      const [name, path] = step.crash === 'set_written' ? ['set.json', '/_test/set'] : ['proof.json', '/_test/proof'];
      await env.writeEntry(name, await env.controlText(path));
    } else if (step.tamper !== undefined) {
      const text = await env.readEntry(step.tamper);
      if (text === null) throw new Error(`${at}: the store has no ${step.tamper} to tamper with`);
      // One byte in the middle of the entry, an ASCII character, flipped in its lowest bit.
      const k = Math.floor(text.length / 2);
      await env.writeEntry(step.tamper, text.slice(0, k) + String.fromCharCode(text.charCodeAt(k) ^ 1) + text.slice(k + 1));
    } else if (step.check !== undefined) {
      const before = step.expect?.hits !== undefined ? await env.control('/_test/hits') : null;
      const report = await session.check();
      const x = step.expect ?? {};
      const got = {
        valid: report.valid,
        code: report.code,
        refresh: outcomeText(report.refresh),
        sync: outcomeText(report.sync),
        offline: report.offline,
        stored_epoch: report.stored_epoch,
      };
      if (before !== null) {
        const after = await env.control('/_test/hits');
        got.hits = { proof: after.proof - before.proof, revocation: after.revocation - before.revocation };
      }
      for (const [k, want] of Object.entries(x)) {
        if (k === 'files') {
          for (const name of want) {
            const text = await env.readEntry(name);
            let whole = text !== null;
            try {
              if (whole) JSON.parse(text);
            } catch {
              whole = false;
            }
            if (!whole) failures.push(`${at}: ${name} ${text === null ? 'is missing' : 'is not JSON'}`);
          }
        } else if (!same(got[k], want)) {
          failures.push(`${at}: ${k} is ${JSON.stringify(got[k])}, want ${JSON.stringify(want)} (report: ${JSON.stringify({ ...report, proof: report.proof?.code, set: report.set?.code })})`);
        }
      }
    } else {
      throw new Error(`${at}: no action this runner knows`);
    }
  }
  return failures;
}

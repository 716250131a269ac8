#!/usr/bin/env node
// GraphQL-over-HTTP conformance: run graphql-http's auditServer against a server.
//
//   node audit.mjs http://127.0.0.1:8000/graphql [--json]
//
// Prints one summary line `audit: <ok> ok, <notice> notice, <warn> warn, <error> error
// of <total>` and every result that is not ok (id, status, name, reason). Exits 0 only
// if every audit is ok; 1 otherwise; 2 on bad usage or if the server cannot be reached.
// With --json the last line is a JSON object with the counts and the non-ok results.
import { auditServer } from 'graphql-http';

const args = process.argv.slice(2);
const asJson = args.includes('--json');
const url = args.find((a) => !a.startsWith('--')) ?? process.env.GRAPHQL_URL;
if (!url) {
  console.error('usage: node audit.mjs URL [--json]   (or set GRAPHQL_URL)');
  process.exit(2);
}

const TIMEOUT_MS = Number(process.env.AUDIT_TIMEOUT_MS ?? 60_000);
// Every request gets its own bounded timeout, so a hung server fails the run instead of
// hanging it.
const fetchFn = (input, init = {}) =>
  fetch(input, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });

const timer = setTimeout(() => {
  console.error(`audit: gave up after ${TIMEOUT_MS} ms`);
  process.exit(2);
}, TIMEOUT_MS);
timer.unref();

let results;
try {
  results = await auditServer({ url, fetchFn });
} catch (err) {
  console.error(`audit: could not audit ${url}: ${err?.stack ?? err}`);
  process.exit(2);
}

const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
const failures = [];
for (const result of results) {
  counts[result.status] = (counts[result.status] ?? 0) + 1;
  if (result.status !== 'ok') {
    let body = '';
    try {
      body = await result.response.text();
    } catch {
      // the body may have been read by the audit already
    }
    failures.push({
      id: result.id,
      status: result.status,
      name: result.name,
      reason: result.reason,
      httpStatus: result.response?.status,
      contentType: result.response?.headers?.get('content-type') ?? null,
      body: body.slice(0, 300),
    });
  }
}

const total = results.length;
console.log(
  `audit: ${counts.ok} ok, ${counts.notice} notice, ${counts.warn} warn, ` +
    `${counts.error} error of ${total} (${url})`,
);
for (const f of failures) {
  console.log(`  [${f.status}] ${f.id} ${f.name}`);
  console.log(`      reason: ${f.reason}`);
  console.log(`      got: HTTP ${f.httpStatus} ${f.contentType ?? '(no content-type)'} ${f.body}`);
}
if (asJson) {
  console.log(JSON.stringify({ total, ...counts, failures }));
}
process.exit(counts.ok === total && total > 0 ? 0 : 1);

#!/usr/bin/env node
// Federation end to end: the running hub + the market-regulation partner subgraph behind
// Hive Gateway, with a query that needs both subgraphs.
//
//   node gateway.mjs --hub-url http://127.0.0.1:8000/graphql --uscc USCC
//                    [--hub-sdl hub.graphql] [--expect-name NAME] [--hub-key KEY] [--json]
//
// Steps: start the partner subgraph on a free port; compose the hub's SDL (from
// --hub-sdl, i.e. `credit-hub export-schema`, or else the hub's `_service { sdl }`) with the
// partner's, with @theguild/federation-composition and @apollo/composition; for each of the
// two supergraphs start Hive Gateway (createGatewayRuntime from
// @graphql-hive/gateway-runtime) on a free port on 127.0.0.1, send it the cross-subgraph
// queries below and check that every field came back from the right subgraph.
// Prints `gateway <composer>: ok|FAILED …` lines (and, with --json, a JSON summary last).
// Exits 0 only if both compositions and all checks pass; 2 on bad usage or a time-out.
// With --hub-key the client sends `Authorization: Bearer KEY` and an `X-Purpose` header, and
// the gateway propagates both to the hub subgraph only (never to the partner).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import * as httpTransport from '@graphql-mesh/transport-http';

import { composeBoth, COMPOSERS, report } from './lib/compose.mjs';
import {
  createPartnerYoga,
  registrationOf,
  typeDefs as partnerSdl,
} from './partner/market-regulation.mjs';

const { values } = parseArgs({
  options: {
    'hub-url': { type: 'string' },
    'hub-sdl': { type: 'string' },
    uscc: { type: 'string' },
    'expect-name': { type: 'string' },
    'hub-key': { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
if (!values['hub-url'] || !values.uscc) {
  console.error(
    'usage: node gateway.mjs --hub-url URL --uscc USCC [--hub-sdl FILE] [--expect-name NAME] [--json]',
  );
  process.exit(2);
}

const TIMEOUT_MS = Number(process.env.GATEWAY_TIMEOUT_MS ?? 90_000);
const REQUEST_TIMEOUT_MS = 20_000;
const watchdog = setTimeout(() => {
  console.error(`gateway: gave up after ${TIMEOUT_MS} ms`);
  process.exit(2);
}, TIMEOUT_MS);
watchdog.unref();

const CROSS_QUERY = /* GraphQL */ `
  query Cross($uscc: String!) {
    institution(uscc: $uscc) {
      uscc
      name
      registeredCapital
      registrationAuthority
      roles {
        role
        person {
          name
          roles {
            institution {
              uscc
              name
              registeredCapital
            }
          }
        }
      }
    }
    sanctions(subject: { uscc: $uscc }, purpose: "conformance: federation check") {
      subject {
        kind
        known
        name
        uscc
      }
    }
    registration(uscc: $uscc) {
      uscc
      registeredCapital
      name
      kind
    }
  }
`;

const HUB_HEADERS = values['hub-key']
  ? { authorization: `Bearer ${values['hub-key']}`, 'x-purpose': 'conformance: federation check' }
  : {};

async function post(url, body) {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json;q=0.9',
      ...HUB_HEADERS,
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    // reported below
  }
  return { status: res.status, contentType: res.headers.get('content-type'), text, json };
}

async function hubSdl() {
  if (values['hub-sdl']) return readFileSync(values['hub-sdl'], 'utf8');
  const { json, text } = await post(values['hub-url'], { query: '{ _service { sdl } }' });
  const sdl = json?.data?._service?.sdl;
  if (!sdl) throw new Error(`could not read the hub's SDL: ${text.slice(0, 300)}`);
  return sdl;
}

function listen(handler) {
  const server = createServer(handler);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        url: `http://127.0.0.1:${port}/graphql`,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections?.();
            server.close(() => done());
          }),
      });
    });
  });
}

/** Every problem with the merged answer, as strings (empty: all good). */
function check(response, uscc, expectName) {
  const problems = [];
  const expect = (cond, message) => cond || problems.push(message);
  const expected = registrationOf(uscc);
  expect(response.status === 200, `HTTP ${response.status}: ${response.text.slice(0, 300)}`);
  expect(response.json !== null, 'the gateway did not answer JSON');
  const errors = response.json?.errors ?? [];
  expect(errors.length === 0, `errors: ${JSON.stringify(errors).slice(0, 500)}`);
  const inst = response.json?.data?.institution;
  expect(inst, 'no data.institution');
  if (!inst) return problems;
  // from the hub
  expect(inst.uscc === uscc, `institution.uscc is ${inst.uscc}`);
  expect(typeof inst.name === 'string' && inst.name.length > 0, 'institution.name (hub) missing');
  if (expectName) expect(inst.name === expectName, `institution.name is ${inst.name}, expected ${expectName}`);
  expect(Array.isArray(inst.roles) && inst.roles.length > 0, 'institution.roles (hub) empty');
  // from the partner
  expect(
    inst.registeredCapital === expected?.registeredCapital,
    `institution.registeredCapital (partner) is ${inst.registeredCapital}, expected ${expected?.registeredCapital}`,
  );
  expect(
    inst.registrationAuthority === expected?.registrationAuthority,
    `institution.registrationAuthority (partner) is ${inst.registrationAuthority}`,
  );
  // partner fields on entities nested in hub lists (batched entity fetches)
  let nested = 0;
  for (const role of inst.roles ?? []) {
    for (const held of role.person?.roles ?? []) {
      const i = held.institution;
      if (!i) continue;
      nested += 1;
      expect(
        i.registeredCapital === registrationOf(i.uscc)?.registeredCapital,
        `nested institution ${i.uscc}: registeredCapital ${i.registeredCapital}`,
      );
      expect(typeof i.name === 'string', `nested institution ${i.uscc}: no name`);
    }
  }
  expect(nested > 0, 'no nested institutions under roles.person.roles');
  // hub root field
  const subject = response.json?.data?.sanctions?.subject;
  expect(subject?.known === true && subject?.uscc === uscc, `sanctions.subject: ${JSON.stringify(subject)}`);
  // partner root field, hub fields resolved through the entity
  const reg = response.json?.data?.registration;
  expect(reg?.registeredCapital === expected?.registeredCapital, `registration: ${JSON.stringify(reg)}`);
  expect(reg?.name === inst.name, `registration.name (hub, via entity) is ${reg?.name}`);
  return problems;
}

const cleanups = [];
let exitCode = 1;
const summary = { compose: {}, gateway: {} };
try {
  const partner = await listen(createPartnerYoga());
  cleanups.push(partner.close);
  console.log(`partner subgraph market_regulation at ${partner.url}`);

  const results = composeBoth([
    { name: 'hub', url: values['hub-url'], sdl: await hubSdl() },
    { name: 'market_regulation', url: partner.url, sdl: partnerSdl },
  ]);
  const composed = report(results);
  for (const c of COMPOSERS) {
    summary.compose[c] = { ok: results[c].ok, errors: results[c].errors, hints: results[c].hints };
  }

  let allOk = composed;
  for (const composer of COMPOSERS) {
    const supergraph = results[composer].supergraphSdl;
    if (!supergraph) continue;
    const runtime = createGatewayRuntime({
      supergraph,
      logging: 'warn',
      transports: { http: httpTransport },
      upstreamTimeout: REQUEST_TIMEOUT_MS,
      propagateHeaders: {
        fromClientToSubgraphs: ({ request, subgraphName }) =>
          subgraphName.toLowerCase() === 'hub'
            ? {
                authorization: request.headers.get('authorization'),
                'x-purpose': request.headers.get('x-purpose'),
              }
            : {},
      },
    });
    const gateway = await listen(runtime);
    cleanups.push(async () => {
      await gateway.close();
      await runtime.dispose();
    });
    const response = await post(gateway.url, {
      query: CROSS_QUERY,
      variables: { uscc: values.uscc },
    });
    const problems = check(response, values.uscc, values['expect-name']);
    const inst = response.json?.data?.institution;
    summary.gateway[composer] = {
      ok: problems.length === 0,
      problems,
      status: response.status,
      contentType: response.contentType,
      institution: inst
        ? {
            uscc: inst.uscc,
            name: inst.name,
            registeredCapital: inst.registeredCapital,
            registrationAuthority: inst.registrationAuthority,
            roles: inst.roles?.length ?? 0,
          }
        : null,
      sanctionsSubject: response.json?.data?.sanctions?.subject ?? null,
      registration: response.json?.data?.registration ?? null,
    };
    allOk &&= problems.length === 0;
    console.log(
      `gateway ${composer}: ${problems.length ? 'FAILED' : 'ok'} (${gateway.url}) ` +
        (inst
          ? `institution ${inst.uscc} name=${inst.name} [hub] ` +
            `registeredCapital=${inst.registeredCapital} [market_regulation]`
          : ''),
    );
    for (const p of problems) console.log(`  problem: ${p}`);
  }
  exitCode = allOk ? 0 : 1;
} catch (err) {
  console.error(`gateway: ${err?.stack ?? err}`);
  exitCode = 2;
} finally {
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch (err) {
      console.error(`gateway: cleanup failed: ${err}`);
    }
  }
}
if (values.json) console.log(JSON.stringify(summary));
process.exit(exitCode);

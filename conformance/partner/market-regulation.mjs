#!/usr/bin/env node
// A partner subgraph: the market-regulation registry (市场监督管理局).
//
// It owns registration data the hub does not hold and contributes it to the hub's
// `Institution @key(fields: "uscc")` entity: `registeredCapital` and
// `registrationAuthority`. Built with @apollo/subgraph and served by graphql-yoga.
//
//   node partner/market-regulation.mjs [--port 4002] [--host 127.0.0.1]
//
// Its data is synthetic and deterministic (a function of the USCC) so that checks can
// compute the expected values: see `registrationOf`.
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { createYoga } from 'graphql-yoga';

export const typeDefs = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])

  # The hub's medical institution entity (its description lives in the hub), extended
  # with what the market-regulation registry knows about it.
  type Institution @key(fields: "uscc") {
    uscc: String!
    "Registered capital (注册资本) in units of 10 000 yuan (万元); null if not registered."
    registeredCapital: Float
    "The market-regulation authority that holds the registration; null if not registered."
    registrationAuthority: String
  }

  type Query {
    "The registry's own view of an institution (its name etc. come from the hub)."
    registration(uscc: String!): Institution
  }
`;

const USCC = /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/;

/** FNV-1a 32-bit: a stable hash, the same in every runtime. */
function fnv1a(text) {
  let hash = 0x811c9dc5;
  for (const ch of text) {
    hash ^= ch.codePointAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** The registry's record for a USCC, or null if the USCC is malformed ("not registered"). */
export function registrationOf(uscc) {
  if (typeof uscc !== 'string' || !USCC.test(uscc)) return null;
  const region = uscc.slice(2, 8);
  return {
    uscc,
    registeredCapital: 50 + (fnv1a(uscc) % 99_951), // 50 … 100 000 万元
    registrationAuthority: `市场监督管理局（行政区划 ${region}）`,
  };
}

function institution(uscc) {
  return registrationOf(uscc) ?? { uscc, registeredCapital: null, registrationAuthority: null };
}

export const resolvers = {
  Query: {
    registration: (_root, { uscc }) => registrationOf(uscc),
  },
  Institution: {
    __resolveReference: ({ uscc }) => institution(uscc),
  },
};

export function createPartnerSchema() {
  return buildSubgraphSchema([{ typeDefs: parse(typeDefs), resolvers }]);
}

/** The subgraph as a request handler (for node:http's createServer). */
export function createPartnerYoga() {
  return createYoga({
    schema: createPartnerSchema(),
    graphqlEndpoint: '/graphql',
    graphiql: false,
    landingPage: false,
    logging: 'warn',
  });
}

/** Start the subgraph; resolves to { url, close }. Port 0 picks a free port. */
export async function startPartner({ host = '127.0.0.1', port = 0 } = {}) {
  const server = createServer(createPartnerYoga());
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  return {
    url: `http://${host}:${address.port}/graphql`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '4002' },
    },
  });
  const partner = await startPartner({ host: values.host, port: Number(values.port) });
  console.log(`market-regulation subgraph at ${partner.url}`);
  const stop = async () => {
    await partner.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

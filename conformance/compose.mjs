#!/usr/bin/env node
// Compose the hub's subgraph SDL with the market-regulation partner subgraph, using both
// @theguild/federation-composition and @apollo/composition.
//
//   credit-hub export-schema > hub.graphql
//   node compose.mjs --hub-sdl hub.graphql [--hub-url URL] [--partner-url URL]
//                    [--out-dir DIR] [--json]
//
// Prints `compose <guild|apollo>: ok|FAILED (<n> errors, <n> hints)` plus every error and
// hint; with --out-dir writes supergraph.guild.graphql and supergraph.apollo.graphql;
// with --json the last line is a JSON summary. Exits 0 only if both compositions succeed.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { composeBoth, COMPOSERS, report } from './lib/compose.mjs';
import { typeDefs as partnerSdl } from './partner/market-regulation.mjs';

const { values } = parseArgs({
  options: {
    'hub-sdl': { type: 'string' },
    'hub-url': { type: 'string', default: 'http://127.0.0.1:8000/graphql' },
    'partner-url': { type: 'string', default: 'http://127.0.0.1:4002/graphql' },
    'out-dir': { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
if (!values['hub-sdl']) {
  console.error('usage: node compose.mjs --hub-sdl FILE [--hub-url URL] [--partner-url URL] [--out-dir DIR] [--json]');
  process.exit(2);
}

const hubSdl = readFileSync(values['hub-sdl'], 'utf8');
const results = composeBoth([
  { name: 'hub', url: values['hub-url'], sdl: hubSdl },
  { name: 'market_regulation', url: values['partner-url'], sdl: partnerSdl },
]);
const ok = report(results);

if (values['out-dir']) {
  mkdirSync(values['out-dir'], { recursive: true });
  for (const composer of COMPOSERS) {
    const sdl = results[composer].supergraphSdl;
    if (sdl) {
      const file = join(values['out-dir'], `supergraph.${composer}.graphql`);
      writeFileSync(file, sdl + '\n');
      console.log(`wrote ${file}`);
    }
  }
}
if (values.json) {
  const summary = Object.fromEntries(
    COMPOSERS.map((c) => [c, { ok: results[c].ok, errors: results[c].errors, hints: results[c].hints }]),
  );
  console.log(JSON.stringify(summary));
}
process.exit(ok ? 0 : 1);

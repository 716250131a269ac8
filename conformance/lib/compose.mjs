// Compose subgraphs into a supergraph with both composition libraries on npm:
// @theguild/federation-composition (what Hive Gateway's tooling uses) and
// @apollo/composition (what rover uses). Both must succeed.
import { composeServices as apolloCompose } from '@apollo/composition';
import { composeServices as guildCompose } from '@theguild/federation-composition';
import { parse } from 'graphql';

export const COMPOSERS = ['guild', 'apollo'];

const messageOf = (error) => {
  const code = error.extensions?.code ? `[${error.extensions.code}] ` : '';
  return `${code}${error.message}`;
};

/**
 * subgraphs: [{ name, url, sdl }]. Returns { guild, apollo }, each
 * { ok, errors: string[], hints: string[], supergraphSdl: string | null }.
 */
export function composeBoth(subgraphs) {
  const services = subgraphs.map(({ name, url, sdl }) => ({ name, url, typeDefs: parse(sdl) }));

  const guild = guildCompose(services);
  const apollo = apolloCompose(services);
  return {
    guild: {
      ok: !guild.errors?.length && Boolean(guild.supergraphSdl),
      errors: (guild.errors ?? []).map(messageOf),
      hints: [], // @theguild/federation-composition reports errors only
      supergraphSdl: guild.supergraphSdl ?? null,
    },
    apollo: {
      ok: !apollo.errors?.length && Boolean(apollo.supergraphSdl),
      errors: (apollo.errors ?? []).map(messageOf),
      hints: (apollo.hints ?? []).map((hint) => `[${hint.definition.code}] ${hint.message}`),
      supergraphSdl: apollo.supergraphSdl ?? null,
    },
  };
}

/** Print a composition report; returns true if every composer succeeded. */
export function report(results, log = console.log) {
  let allOk = true;
  for (const composer of COMPOSERS) {
    const r = results[composer];
    allOk &&= r.ok;
    log(
      `compose ${composer}: ${r.ok ? 'ok' : 'FAILED'} ` +
        `(${r.errors.length} errors, ${r.hints.length} hints)`,
    );
    for (const error of r.errors) log(`  error: ${error}`);
    for (const hint of r.hints) log(`  hint: ${hint}`);
  }
  return allOk;
}

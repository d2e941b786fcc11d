/** Longest credential value read from a query; anything longer is ignored rather than hashed. */
export const MAX_CREDENTIAL_LENGTH = 512;

/** What a client presented: a shared secret (`secret=`) and/or a signed link (`sign=`). */
export interface Credentials {
  secret?: string;
  sign?: string;
}

/**
 * Collects `secret=` and `sign=` from the query strings a client sent, first found wins: for RTMP the stream key's
 * query (`movie?secret=S`, OBS's Stream Key field) and the app's or tcUrl's (`rtmp://host/live?secret=S`); for HTTP
 * the URL's. Queries are given without the leading `?`.
 */
export function credentialsFrom(...queries: readonly (string | undefined)[]): Credentials {
  const found: Credentials = {};
  for (const query of queries) {
    if (query === undefined || query === '') continue;
    const params = new URLSearchParams(query);
    for (const name of ['secret', 'sign'] as const) {
      const value = params.get(name);
      if (found[name] === undefined && value !== null && value !== '' && value.length <= MAX_CREDENTIAL_LENGTH) found[name] = value;
    }
  }
  return found;
}

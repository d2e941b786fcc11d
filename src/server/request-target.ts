/** An HTTP request target reduced to what the router needs. */
export interface RequestTarget {
  /** Percent-decoded path, starting with `/` (or `*` for OPTIONS *). */
  path: string;
  query: URLSearchParams;
}

/**
 * Reads the request target of RFC 9112 3.2 without trusting it: origin-form (`/live/a.flv?x=1`, including odd ones
 * such as `//` that WHATWG URL parsing takes for a host), absolute-form (`http://host/path`), asterisk-form (`*`).
 * Returns the target, or a one-line reason it cannot be served (the caller answers 400). Never throws.
 */
export function parseRequestTarget(raw: string | undefined): RequestTarget | { problem: string } {
  const target = raw ?? '/';
  if (target === '*') return { path: '*', query: new URLSearchParams() };
  let pathPart: string;
  let queryPart: string;
  if (target.startsWith('/')) {
    const q = target.indexOf('?');
    pathPart = q === -1 ? target : target.slice(0, q);
    queryPart = q === -1 ? '' : target.slice(q + 1);
  } else if (/^https?:\/\//i.test(target)) {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      return { problem: 'the request target is not a valid URL' };
    }
    pathPart = url.pathname;
    queryPart = url.search.slice(1);
  } else {
    return { problem: 'the request target must be a path starting with /' };
  }
  const hash = queryPart.indexOf('#');
  if (hash !== -1) queryPart = queryPart.slice(0, hash);
  let path: string;
  try {
    path = decodeURIComponent(pathPart);
  } catch {
    return { problem: 'the path is not valid percent-encoding' };
  }
  return { path, query: new URLSearchParams(queryPart) };
}

import { lookAlikeForm, streamKeyRule } from '../../media/stream-key.js';
import type { AccessConfig } from './access-config.js';
import type { Credentials } from './credentials.js';
import { type Refusal, refuse } from './refusals.js';
import { type TokenAction, checkSignedPath, secretMatches } from './signed-token.js';

/**
 * Who may publish and who may watch: pure decisions from the request's facts, the configuration, what exists now and
 * the clock. Sessions ask and act on the answer; none of them reads a secret itself.
 */

export type Granted = { allow: true; via: 'trusted-network' | 'secret' | 'signed-link' | 'public' };
export type AccessDecision = Granted | Refusal;

export interface StreamRequest {
  app: string;
  /** The key without its query. */
  key: string;
  /** The client's address (a proxy's forwarded client where the proxy is trusted). */
  address: string;
  credentials: Credentials;
}

/** A stream of the same app that exists now, live or waiting for its publisher (grace). */
export interface ExistingStream {
  key: string;
  live: boolean;
}

export function decidePublish(request: StreamRequest, config: AccessConfig, existing: Iterable<ExistingStream>, nowMs: number): AccessDecision {
  const path = `${request.app}/${request.key}`;
  const bad = streamKeyRule(request.key);
  if (bad !== undefined) return refuse('bad-key', `publish refused: ${bad.message} (rule: ${bad.rule})`);
  const granted = config.publishAllow.contains(request.address)
    ? ({ allow: true, via: 'trusted-network' } as const)
    : checkCredentials('publish', path, request.credentials, config.publishSecret, nowMs);
  if (granted === 'none') {
    const how = config.publishSecret === undefined ? 'this server takes publishers from its allowed networks only' : 'present the publish secret (the secret parameter of the key or the URL) or a signed publish link';
    return refuse('publish-not-allowed', `publish refused: ${request.address} may not publish here: ${how}`);
  }
  if (!granted.allow) return { ...granted, message: `publish refused: ${granted.message}` };
  const form = lookAlikeForm(request.key);
  for (const stream of existing) {
    if (stream.key === request.key) {
      if (stream.live) return refuse('key-in-use', `publish refused: ${path} is already being published`);
    } else if (lookAlikeForm(stream.key) === form) {
      return refuse('look-alike-key', `publish refused: '${request.key}' looks like ${request.app}/${stream.key}, which exists: choose a key that differs by more than case`);
    }
  }
  return granted;
}

/** Whether a viewer may watch `app/key`: everyone, unless the show is private. Admission is asked separately. */
export function decidePlay(request: StreamRequest, config: AccessConfig, nowMs: number): AccessDecision {
  const bad = streamKeyRule(request.key);
  if (bad !== undefined) return refuse('bad-key', `${bad.message} (rule: ${bad.rule})`);
  if (config.playSecret === undefined) return { allow: true, via: 'public' };
  const granted = checkCredentials('play', `${request.app}/${request.key}`, request.credentials, config.playSecret, nowMs);
  if (granted !== 'none') return granted;
  return refuse('private-show', 'this show is private: open the link the host shared (it carries a sign or secret parameter)');
}

/** Checks a secret or a signed link for `action` on `path`; 'none' when there is nothing to check (the caller words it). */
function checkCredentials(action: TokenAction, path: string, credentials: Credentials, secret: string | undefined, nowMs: number): AccessDecision | 'none' {
  if (secret === undefined || (credentials.secret === undefined && credentials.sign === undefined)) return 'none';
  if (credentials.secret !== undefined) {
    if (secretMatches(credentials.secret, secret)) return { allow: true, via: 'secret' };
    if (credentials.sign === undefined) return refuse('wrong-secret', `the ${action} secret is wrong`);
  }
  const check = checkSignedPath(secret, action, path, credentials.sign ?? '', nowMs);
  if (check.ok) return { allow: true, via: 'signed-link' };
  if (check.why === 'expired') return refuse('link-expired', `the signed ${action} link for ${path} has expired: ask for a new one`);
  return refuse('link-invalid', `the signed ${action} link is not valid for ${path}`);
}

/** How messages are protected: not at all, signed, or signed and encrypted. */
export type SecurityModeName = 'None' | 'Sign' | 'SignAndEncrypt';

/** Security policies by name. The first three are current; the last two are deprecated by OPC UA 1.04. */
export type SecurityPolicyName = 'Aes256_Sha256_RsaPss' | 'Aes128_Sha256_RsaOaep' | 'Basic256Sha256' | 'Basic256' | 'Basic128Rsa15';

/** Every security mode. */
export const SECURITY_MODES: readonly SecurityModeName[] = ['None', 'Sign', 'SignAndEncrypt'];

/** Current policies, strongest first: the order in which one is picked when none is named. */
export const CURRENT_POLICIES: readonly SecurityPolicyName[] = ['Aes256_Sha256_RsaPss', 'Aes128_Sha256_RsaOaep', 'Basic256Sha256'];

/** Policies OPC UA deprecated (SHA-1, short keys): used only when named. */
export const DEPRECATED_POLICIES: readonly SecurityPolicyName[] = ['Basic256', 'Basic128Rsa15'];

/** The URI a policy name stands for. */
export function policyUri(name: SecurityPolicyName | 'None'): string {
  return `http://opcfoundation.org/UA/SecurityPolicy#${name}`;
}

/** The name at the end of a policy URI (`Basic256Sha256`), or the URI itself. */
export function policyName(uri: string): string {
  return uri.slice(uri.lastIndexOf('#') + 1);
}

/** MessageSecurityMode numbers (Part 4, 7.20). */
const MODE_NUMBERS: Record<SecurityModeName, number> = { None: 1, Sign: 2, SignAndEncrypt: 3 };
const MODE_NAMES = ['Invalid', 'None', 'Sign', 'SignAndEncrypt'];

/** Which identity the session will present. */
export type IdentityKind = 'anonymous' | 'username' | 'certificate';

/** UserTokenType numbers (Part 4, 7.37). */
const TOKEN_TYPES: Record<IdentityKind, number> = { anonymous: 0, username: 1, certificate: 2 };
const TOKEN_NAMES = ['anonymous', 'user name', 'certificate', 'issued token'];

/** The parts of an EndpointDescription the choice reads. */
export interface EndpointLike {
  securityMode: number;
  securityPolicyUri: string | null;
  userIdentityTokens?: readonly { tokenType: number }[] | null;
}

/** What the client asks for. */
export interface SecurityRequest {
  mode: SecurityModeName;
  /** Omitted: the strongest current policy the server offers for `mode`. Ignored for `None`. */
  policy?: SecurityPolicyName;
  identity: IdentityKind;
}

/** {@link chooseEndpoint}'s answer. */
export type EndpointChoice<E> = { ok: true; endpoint: E; policy: SecurityPolicyName | 'None' } | { ok: false; message: string };

/** `SignAndEncrypt/Basic256Sha256`: how messages name an endpoint's security. */
export function describeSecurity(endpoint: EndpointLike): string {
  return `${MODE_NAMES[endpoint.securityMode] ?? endpoint.securityMode}/${policyName(endpoint.securityPolicyUri ?? '')}`;
}

/**
 * Picks the endpoint matching `request` among a server's endpoints: same mode, the named
 * policy or else the strongest current one, and a user token of the identity's kind. Pure;
 * a refusal lists what the server offers instead.
 */
export function chooseEndpoint<E extends EndpointLike>(endpoints: readonly E[], request: SecurityRequest): EndpointChoice<E> {
  const offered = [...new Set(endpoints.map(describeSecurity))].join(', ') || 'nothing';
  const sameMode = endpoints.filter((e) => e.securityMode === MODE_NUMBERS[request.mode]);
  let candidates: E[];
  let policy: SecurityPolicyName | 'None';
  if (request.mode === 'None') {
    candidates = sameMode.filter((e) => policyName(e.securityPolicyUri ?? '') === 'None');
    policy = 'None';
  } else {
    const order = request.policy ? [request.policy] : CURRENT_POLICIES;
    const found = order.find((p) => sameMode.some((e) => e.securityPolicyUri === policyUri(p)));
    candidates = found ? sameMode.filter((e) => e.securityPolicyUri === policyUri(found)) : [];
    policy = found ?? request.policy ?? 'Basic256Sha256';
  }
  if (candidates.length === 0) {
    const wanted = request.mode === 'None' ? 'None' : `${request.mode}/${request.policy ?? CURRENT_POLICIES.join(' or ')}`;
    const hint = !request.policy && sameMode.length > 0 ? ` (name a deprecated policy explicitly to use ${sameMode.map((e) => policyName(e.securityPolicyUri ?? '')).join(' or ')})` : '';
    return { ok: false, message: `the server offers no endpoint with security ${wanted}; it offers ${offered}${hint}` };
  }
  const token = TOKEN_TYPES[request.identity];
  const endpoint = candidates.find((e) => (e.userIdentityTokens ?? []).some((t) => t.tokenType === token));
  if (!endpoint) {
    const accepted = [...new Set(candidates.flatMap((e) => (e.userIdentityTokens ?? []).map((t) => TOKEN_NAMES[t.tokenType] ?? `token ${t.tokenType}`)))];
    return {
      ok: false,
      message: `the server's ${describeSecurity(candidates[0]!)} endpoint accepts no ${TOKEN_NAMES[token]} login; it accepts ${accepted.join(', ') || 'none'}`,
    };
  }
  return { ok: true, endpoint, policy };
}

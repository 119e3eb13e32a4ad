import { POINT_LIMITS } from '@fieldbridge/core';
import { keyFileProblem, type SectionIssue } from '@fieldbridge/core/bridge';
import { belowObjects } from './_browse-miss-hint.js';
import { formatBrowsePath, parseBrowsePath } from './browse-path.js';
import type { OpcuaConfig } from './config.js';
import { parseEndpoint } from './endpoint.js';
import { planOpcua } from './plan.js';

/** Tags a value point may get besides its entry's own: `quality` and `status` under the quality rule `tag`. */
const QUALITY_TAGS = 2;

/**
 * The checks of an `opcua:` section the schema cannot express (`definition.check`), so that
 * `--check` refuses all a run would: the endpoint URL, the identity's keys and files, the
 * security policy, something to monitor, and every entry's location, template, event fields,
 * deadband and tags. Pure but for the existence of the user certificate files; paths are
 * relative to the section.
 */
export function checkOpcua(section: OpcuaConfig): SectionIssue[] {
  const issues: SectionIssue[] = [];
  const endpoint = parseEndpoint(section.endpoint);
  if (!endpoint.ok) issues.push({ path: ['endpoint'], message: endpoint.message });
  checkAuth(section, issues);
  if (section.security?.mode === 'None' && section.security.policy !== undefined) {
    issues.push({ path: ['security', 'policy'], message: 'security mode None uses no policy: remove policy, or choose mode Sign or SignAndEncrypt' });
  }
  if (!section.nodes?.length && !section.folders?.length && !section.events?.length) {
    const empty = (['nodes', 'folders', 'events'] as const).find((key) => section[key] !== undefined);
    issues.push({ path: empty === undefined ? [] : [empty], message: 'nothing to monitor: give nodes, folders or events (bridge-opcua --browse lists what the server has)', runOnly: true });
  }
  const planned = planOpcua(section);
  if (!planned.ok) issues.push(...planned.issues);
  const tagRoom = (key: 'nodes' | 'folders' | 'events') =>
    section[key]?.forEach((entry, i) => {
      const own = Object.keys(entry.tags ?? {}).length + ('unit' in entry && entry.unit !== undefined ? 1 : 0);
      const extra = key !== 'events' && ((entry as { quality?: string }).quality ?? section.quality ?? 'tag') === 'tag' ? QUALITY_TAGS : 0;
      if (own + extra > POINT_LIMITS.maxTags) {
        issues.push({
          path: [key, i, 'tags'],
          message: `${own} tags (unit included)${extra > 0 ? ' and quality and status' : ''} make more than ${POINT_LIMITS.maxTags} (the ingest service refuses more)`,
        });
      }
    });
  tagRoom('nodes');
  tagRoom('folders');
  tagRoom('events');
  for (const key of ['nodes', 'folders', 'events'] as const) section[key]?.forEach((entry, i) => checkPathFromRoot(entry.browse_path, [key, i, 'browse_path'], issues));
  return issues;
}

/**
 * A browse path written from the root (`Objects/Boiler/Temperature`, `Root/Objects/...`, as
 * UaExpert, ThingsBoard and Neuron show paths) looks for a child named Objects inside the Objects
 * folder, where a browse path starts: a warning with the path to write.
 */
function checkPathFromRoot(text: string | undefined, path: (string | number)[], issues: SectionIssue[]): void {
  const parsed = text === undefined ? undefined : parseBrowsePath(text);
  const below = parsed?.ok ? belowObjects(parsed.steps) : undefined;
  if (below === undefined) return;
  issues.push({
    path,
    warning: true,
    message: `a browse path starts below the Objects folder: write ${formatBrowsePath(below)}; keep ${text} only if the server has an object named Objects inside Objects`,
  });
}

function checkAuth(section: OpcuaConfig, issues: SectionIssue[]): void {
  const auth = section.auth;
  if (!auth) return;
  const user = auth.username !== undefined || auth.password !== undefined;
  const certificate = auth.certificate !== undefined || auth.private_key !== undefined;
  if (user && certificate) {
    issues.push({ path: ['auth', 'certificate'], message: 'log in either with username and password or with certificate and private_key, not both' });
    return;
  }
  if (user && auth.username === undefined) issues.push({ path: ['auth', 'password'], message: 'a password needs a username' });
  if (user && auth.username !== undefined && auth.password === undefined) {
    issues.push({ path: ['auth', 'username'], message: 'a username needs a password: write password: ${OPCUA_PASSWORD} and set the variable' });
  }
  if (certificate && (auth.certificate === undefined || auth.private_key === undefined)) {
    issues.push({ path: ['auth', auth.certificate === undefined ? 'private_key' : 'certificate'], message: 'an X.509 identity needs both certificate and private_key' });
  }
  for (const key of ['certificate', 'private_key'] as const) {
    const problem = auth[key] === undefined ? undefined : keyFileProblem(auth[key]);
    if (problem !== undefined) issues.push({ path: ['auth', key], message: problem });
  }
}

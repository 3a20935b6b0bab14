/**
 * A technician copies an example config and the régie makes the users with
 * make-users.sh: the user name in each example must be the one make-users.sh
 * writes into the ACL for that site (or the conductor), or the broker refuses it.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';

const run = promisify(execFile);
const REPO = join(import.meta.dirname, '..', '..');
const EXAMPLES = join(REPO, 'hardware', 'examples');

describe('deploy: the example configs name the broker users make-users.sh makes', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relais-example-users-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('every example with a user name matches a "user" line of the ACL made for its site', async () => {
    const examples: Array<{ file: string; site?: string; username: string }> = [];
    for (const file of (await readdir(EXAMPLES)).filter((f) => f.endsWith('.yaml')).sort()) {
      const text = await readFile(join(EXAMPLES, file), 'utf8');
      const doc = parse(text) as { site?: string; broker?: { username?: string } };
      // The conductor example leaves its user commented out: read it as written.
      const username = doc.broker?.username ?? /^\s*#\s*username:\s*(\S+)/m.exec(text)?.[1];
      if (username) examples.push({ file, ...(doc.site ? { site: doc.site } : {}), username });
    }
    assert.ok(examples.length >= 4, JSON.stringify(examples));
    const users = ['conductor conductor', ...examples.filter((e) => e.site).map((e) => `site ${e.site}`)].join('\n') + '\n';
    await writeFile(join(dir, 'users'), users);
    const { stdout } = await run('sh', [join(REPO, 'scripts/mosquitto/make-users.sh'), '--users', join(dir, 'users'), '--acl', '-', '--acl-only', '--credentials', join(dir, 'credentials')]);
    const aclUsers = new Set([...stdout.matchAll(/^user (\S+)$/gm)].map((m) => m[1]));
    for (const e of examples) assert.ok(aclUsers.has(e.username), `${e.file}: broker user "${e.username}" is not in the ACL (${[...aclUsers].join(', ')})`);
  });
});

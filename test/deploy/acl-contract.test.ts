/**
 * One table of who writes what: the writers in the protocol's topic map. The
 * Mosquitto ACL and the NATS permissions that make-users.sh writes must give
 * each role exactly those topics, no more (a box commanding its own cameras
 * was allowed on Mosquitto while the embedded broker refused it).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writableTopics, type TopicWriter } from '../../src/protocol/topics.js';

const SCRIPT = join(import.meta.dirname, '../../scripts/mosquitto/make-users.sh');
const USERS = 'conductor conductor pw-c\noperator regie pw-o\nviewer scene pw-v\nsite saint-camille pw-s\n';
const USER_OF: Record<TopicWriter, string> = { conductor: 'conductor', operator: 'regie', viewer: 'scene', site: 'site-saint-camille' };

/** What the map says each role may publish, as MQTT filters below `relais/v1/+/`. */
function expected(writer: TopicWriter): string[] {
  return writableTopics(writer).map((p) => p.replace('{site}', writer === 'site' ? 'saint-camille' : '+')).sort();
}

describe('deploy: broker rights come from the topic map', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'relais-acl-'));
    writeFileSync(join(dir, 'users'), USERS);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the Mosquitto ACL gives each role the writes of the map, and nothing else writable', () => {
    const acl = execFileSync('sh', [SCRIPT, '--users', join(dir, 'users'), '--acl-only', '--acl', '-'], { encoding: 'utf8' });
    const blocks = new Map<string, string[]>();
    let user = '';
    for (const line of acl.split('\n')) {
      const u = /^user (\S+)$/.exec(line);
      if (u) blocks.set((user = u[1]!), []);
      else if (user && line.startsWith('topic ')) blocks.get(user)!.push(line);
    }
    for (const writer of Object.keys(USER_OF) as TopicWriter[]) {
      const lines = blocks.get(USER_OF[writer]) ?? [];
      assert.equal(lines.filter((l) => l.startsWith('topic readwrite')).length, 0, `${writer}: no readwrite line (it would open writes beyond the map)`);
      const writes = lines.filter((l) => l.startsWith('topic write ')).map((l) => l.replace('topic write relais/v1/+/', '')).sort();
      assert.deepEqual(writes, expected(writer), `${writer}'s writes in the Mosquitto ACL`);
    }
  });

  it('the NATS permissions give each role the same publishes', () => {
    const out = join(dir, 'nats.conf');
    execFileSync('sh', [SCRIPT, '--users', join(dir, 'users'), '--nats-only', '--nats', out, '--credentials', join(dir, 'cred')], { encoding: 'utf8' });
    const text = readFileSync(out, 'utf8');
    for (const writer of Object.keys(USER_OF) as TopicWriter[]) {
      const line = text.split('\n').find((l) => l.includes(`user: "${USER_OF[writer]}"`));
      assert.ok(line, `a NATS user for ${writer}`);
      const allow = /publish: \{ allow: \[([^\]]*)\]/.exec(line)![1]!;
      const subjects = allow.split(',').map((s) => s.trim().replace(/^"|"$/g, '')).sort();
      const want = expected(writer).map((p) => `relais.v1.*.${p.replaceAll('/', '.').replaceAll('+', '*')}`).sort();
      assert.deepEqual(subjects, want, `${writer}'s NATS publish subjects`);
    }
  });
});

import assert from 'node:assert/strict';
import { buttonLamp, cameraLamps, roomLamps } from '../../src/appliance/camera-tally.js';
import type { SiteRole } from '../../src/appliance/feature.js';

const ROLES: SiteRole[] = ['on-air', 'next', 'queued', 'idle'];

/**
 * The documented table (hardware/tally.md), row by row:
 * program preview role link -> red green
 */
const CAMERA_TABLE = `
1 0 on-air up   on        off
1 1 on-air up   on        off
0 1 on-air up   off       on
0 0 on-air up   off       off
1 0 on-air down link-lost off
1 1 on-air down link-lost off
0 1 on-air down off       on
0 0 on-air down off       off
1 0 next   up   off       slow-blink
1 1 next   up   off       slow-blink
0 1 next   up   off       on
0 0 next   up   off       off
1 0 next   down off       on
1 1 next   down off       on
0 1 next   down off       on
0 0 next   down off       off
1 0 queued up   off       on
1 1 queued up   off       on
0 1 queued up   off       on
0 0 queued up   off       off
1 0 queued down off       on
1 1 queued down off       on
0 1 queued down off       on
0 0 queued down off       off
1 0 idle   up   off       on
1 1 idle   up   off       on
0 1 idle   up   off       on
0 0 idle   up   off       off
1 0 idle   down off       on
1 1 idle   down off       on
0 1 idle   down off       on
0 0 idle   down off       off
`;

function rows(table: string): string[][] {
  return table.trim().split('\n').map((line) => line.trim().split(/\s+/));
}

describe('appliance: camera and room tally tables', () => {
  it('camera lamps: every combination of program, preview, role and link', () => {
    const table = rows(CAMERA_TABLE);
    assert.equal(table.length, 2 * 2 * ROLES.length * 2, 'the table covers every combination');
    const seen = new Set<string>();
    for (const [program, preview, role, link, red, green] of table) {
      const key = `${program}${preview}${role}${link}`;
      assert.ok(!seen.has(key), `row ${key} listed twice`);
      seen.add(key);
      const got = cameraLamps({ program: program === '1', preview: preview === '1' }, { role: role as SiteRole, linkUp: link === 'up' });
      assert.deepEqual(got, { red, green }, `program=${program} preview=${preview} role=${role} link=${link}`);
    }
  });

  it('red is steady only when the camera is on program and the event watches this site over a live link', () => {
    for (const program of [false, true]) for (const preview of [false, true]) for (const role of ROLES) for (const linkUp of [false, true]) {
      const { red, green } = cameraLamps({ program, preview }, { role, linkUp });
      assert.equal(red === 'on', program && role === 'on-air' && linkUp);
      assert.ok(!(red !== 'off' && green !== 'off'), 'never red and green together');
    }
  });

  it('tally unknown: never red, green on the link-lost pattern, whatever the floor and the link', () => {
    for (const role of ROLES) for (const linkUp of [false, true]) {
      assert.deepEqual(cameraLamps(null, { role, linkUp }), { red: 'off', green: 'link-lost' }, `role=${role} link=${linkUp}`);
    }
  });

  it('room lamps: ON AIR steady only on air with link ok, link-lost pattern whenever the link is lost', () => {
    const expected: Record<string, [string, string]> = {
      'on-air up': ['on', 'off'],
      'next up': ['off', 'on'],
      'queued up': ['off', 'slow-blink'],
      'idle up': ['off', 'off'],
      'on-air down': ['link-lost', 'off'],
      'next down': ['link-lost', 'off'],
      'queued down': ['link-lost', 'off'],
      'idle down': ['link-lost', 'off'],
    };
    for (const role of ROLES) for (const linkUp of [true, false]) {
      const [onAir, next] = expected[`${role} ${linkUp ? 'up' : 'down'}`]!;
      assert.deepEqual(roomLamps({ role, linkUp }), { onAir, next }, `${role} link ${linkUp}`);
    }
  });

  it('button lamp: steady when granted, slow blink while pending or queued, dark without link', () => {
    const expected = (role: SiteRole, linkUp: boolean, pending: boolean): string =>
      !linkUp ? 'off' : role === 'on-air' ? 'on' : pending || role !== 'idle' ? 'slow-blink' : 'off';
    for (const role of ROLES) for (const linkUp of [true, false]) for (const pending of [true, false]) {
      assert.equal(buttonLamp({ role, linkUp }, pending), expected(role, linkUp, pending), `${role} link=${linkUp} pending=${pending}`);
    }
  });
});

/** The timer tools' controls on the wire: what decodes, and a clear reason for what does not. */
import assert from 'node:assert/strict';
import { decode } from '../../src/protocol/topics.js';

const control = (body: object) => decode('control', JSON.stringify(body));
const why = (body: object): string => {
  const d = control(body);
  assert.equal(d.ok, false, JSON.stringify(body));
  return (d as { reason: string }).reason;
};

describe('timer controls (contract)', () => {
  it('decodes adjust, skip, unskip and move', () => {
    for (const body of [
      { id: 'a', action: 'adjust', minutes: 2 },
      { id: 'b', action: 'adjust', minutes: -60 },
      { id: 'c', action: 'skip', item: 3 },
      { id: 'd', action: 'unskip', item: 0 },
      { id: 'e', action: 'move', item: 4, to: 2 },
    ]) assert.deepEqual(control(body), { ok: true, value: body });
  });

  it('refuses each bad one with what is wrong', () => {
    assert.match(why({ id: 'a', action: 'adjust' }), /minutes\s: adjust demande des minutes/);
    assert.match(why({ id: 'a', action: 'adjust', minutes: 0 }), /minutes\s: ne doit pas être 0/);
    assert.match(why({ id: 'a', action: 'adjust', minutes: 61 }), /minutes/);
    assert.match(why({ id: 'a', action: 'adjust', minutes: 1.5 }), /minutes/);
    assert.match(why({ id: 'b', action: 'skip' }), /item\s: skip demande un point/);
    assert.match(why({ id: 'b', action: 'skip', item: -1 }), /item/);
    assert.match(why({ id: 'c', action: 'move', item: 2 }), /to\s: move demande une position/);
    assert.match(why({ id: 'd', action: 'grant', site: 'saint-camille', minutes: 5 }), /minutes va avec adjust, pas avec grant/);
    assert.match(why({ id: 'e', action: 'skip', item: 1, to: 2 }), /to va avec move, pas avec skip/);
  });
});

import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeIp, encodeIp } from '../../src/ptz/ip-header.js';
import { MAX_PACKET, ViscaReplyParser, classify, type ViscaReply } from '../../src/ptz/parser.js';

const parse = (...bytes: number[]): ViscaReply[] => new ViscaReplyParser().push(Uint8Array.from(bytes));

describe('ptz reply parser', () => {
  it('classifies ACK, completion, inquiry data, errors, network change and broadcasts', () => {
    assert.deepEqual(parse(0x90, 0x41, 0xff), [{ type: 'ack', from: 1, socket: 1 }]);
    assert.deepEqual(parse(0xf0, 0x52, 0xff), [{ type: 'completion', from: 7, socket: 2, data: new Uint8Array(0) }]);
    assert.deepEqual(parse(0xa0, 0x50, 0x02, 0xff), [{ type: 'completion', from: 2, socket: 0, data: Uint8Array.of(0x02) }]);
    for (const code of [0x01, 0x02, 0x03, 0x04, 0x05, 0x41]) {
      assert.deepEqual(parse(0x90, 0x61, code, 0xff), [{ type: 'error', from: 1, socket: 1, code }]);
    }
    assert.deepEqual(parse(0x90, 0x38, 0xff), [{ type: 'network-change', from: 1 }]);
    assert.deepEqual(parse(0x88, 0x30, 0x04, 0xff), [{ type: 'address-set', next: 4 }]);
    assert.deepEqual(parse(0x88, 0x01, 0x00, 0x01, 0xff), [{ type: 'if-clear' }]);
  });

  it('reports packets that are not replies as garbage', () => {
    assert.equal(classify(Uint8Array.of(0x81, 0x01, 0xff)).type, 'garbage'); // a command, not a reply
    assert.equal(classify(Uint8Array.of(0x91, 0x41, 0xff)).type, 'garbage'); // low nibble set
    assert.equal(classify(Uint8Array.of(0x90, 0x41, 0x00, 0xff)).type, 'garbage'); // ACK too long
    assert.equal(classify(Uint8Array.of(0xff)).type, 'garbage');
  });

  it('joins replies split across chunks', () => {
    const parser = new ViscaReplyParser();
    assert.deepEqual(parser.push(Uint8Array.of(0x90, 0x41)), []);
    assert.deepEqual(parser.push(Uint8Array.of(0xff, 0x90)), [{ type: 'ack', from: 1, socket: 1 }]);
    assert.deepEqual(parser.push(Uint8Array.of(0x51, 0xff)), [{ type: 'completion', from: 1, socket: 1, data: new Uint8Array(0) }]);
  });

  it('drops an over-long run without a terminator and resynchronises at the next 0xFF', () => {
    const parser = new ViscaReplyParser();
    const junk = new Array<number>(40).fill(0x55);
    const replies = parser.push(Uint8Array.from([...junk, 0xff, 0x90, 0x41, 0xff]));
    assert.equal(replies.length, 2);
    assert.equal(replies[0]!.type, 'garbage');
    assert.deepEqual(replies[1], { type: 'ack', from: 1, socket: 1 });
    // A long run is one piece of garbage, and memory stays bounded by MAX_PACKET.
    assert.equal(parser.push(new Uint8Array(MAX_PACKET * 100).fill(0x90)).length, 1);
    assert.deepEqual(parser.push(Uint8Array.of(0xff, 0x90, 0x51, 0xff)), [{ type: 'completion', from: 1, socket: 1, data: new Uint8Array(0) }]);
  });

  it('never throws on random bytes, in any chunking', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 20 }), (chunks) => {
        const parser = new ViscaReplyParser();
        for (const chunk of chunks) for (const reply of parser.push(chunk)) assert.ok(reply.type);
        assert.ok(parser.push(Uint8Array.of(0xff)).length <= 1);
      }),
      { numRuns: 500 },
    );
  });

  it('after any garbage, the first reply following a 0xFF is read correctly', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 2 }), (garbage, from, socket) => {
        const parser = new ViscaReplyParser();
        const replies = parser.push(Uint8Array.from([...garbage, 0xff, (from + 8) << 4, 0x40 | socket, 0xff]));
        assert.deepEqual(replies.at(-1), { type: 'ack', from, socket });
      }),
      { numRuns: 500 },
    );
  });

  it('gives the same replies whatever the chunking', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 1, maxLength: 30 }), (bytes, cuts) => {
        const whole = new ViscaReplyParser().push(bytes);
        const split = new ViscaReplyParser();
        const got: ViscaReply[] = [];
        let at = 0;
        let i = 0;
        while (at < bytes.length) {
          const n = cuts[i++ % cuts.length]!;
          got.push(...split.push(bytes.subarray(at, at + n)));
          at += n;
        }
        assert.deepEqual(got, whole);
      }),
      { numRuns: 300 },
    );
  });
});

describe('VISCA over IP header', () => {
  it('encodes type, length and sequence big-endian', () => {
    assert.deepEqual([...encodeIp(0x0100, 0x01020304, Uint8Array.of(0x81, 0x01, 0x06, 0x04, 0xff))], [0x01, 0x00, 0x00, 0x05, 0x01, 0x02, 0x03, 0x04, 0x81, 0x01, 0x06, 0x04, 0xff]);
    assert.deepEqual(decodeIp(encodeIp(0x0111, 0xffffffff, Uint8Array.of(0x90, 0x41, 0xff))), { type: 0x0111, seq: 0xffffffff, payload: Uint8Array.of(0x90, 0x41, 0xff) });
  });

  it('rejects datagrams whose length field disagrees, and never throws', () => {
    assert.equal(decodeIp(Uint8Array.of(0x01, 0x11, 0x00, 0x09, 0, 0, 0, 1, 0x90, 0x41, 0xff)), null);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const m = decodeIp(bytes);
        if (m) assert.equal(m.payload.length, bytes.length - 8);
      }),
      { numRuns: 500 },
    );
  });
});

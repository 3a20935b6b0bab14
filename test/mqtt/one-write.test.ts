/**
 * One write per read from the broker (src/mqtt/connect.ts): what a client
 * writes while it handles one read (mqtt.js acknowledges each message on a
 * tick of its own) leaves in one write; a write on a later turn of the event
 * loop is not held. First on a stream that records each write it is given,
 * then on a real Mosquitto: a box's socket acknowledges a floor and an answer
 * that came in one read with one write.
 */
import assert from 'node:assert/strict';
import { Duplex } from 'node:stream';
import type { MqttClient } from 'mqtt';
import mqtt from 'mqtt';
import { connectBroker, oneWritePerRead, waitConnected } from '../../src/mqtt/connect.js';
import { brokerSchema } from '../../src/mqtt/config.js';
import { startTestBroker, type TestBroker } from '../helpers/brokers.js';
import { waitFor } from '../helpers/wait.js';

/** A socket stand-in: each write it is given (one chunk, or several at once after a cork) is one entry. */
class RecordingStream extends Duplex {
  readonly writes: string[][] = [];
  override _read(): void {}
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.writes.push([chunk.toString()]);
    done();
  }
  override _writev(chunks: Array<{ chunk: Buffer }>, done: () => void): void {
    this.writes.push(chunks.map((c) => c.chunk.toString()));
    done();
  }
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('mqtt: one write per read', () => {
  it('writes made on the ticks of one read leave together; a later turn is not held', async () => {
    const stream = new RecordingStream();
    oneWritePerRead({ stream } as unknown as MqttClient);
    stream.on('data', () => {
      // As mqtt.js: each message of the read handled on a tick of its own, each acknowledged.
      process.nextTick(() => stream.write('ack-1'));
      process.nextTick(() => process.nextTick(() => stream.write('ack-2')));
    });
    stream.push(Buffer.from('floor+answer'));
    await turn();
    await turn();
    assert.deepEqual(stream.writes, [['ack-1', 'ack-2']]);

    stream.write('heartbeat');
    assert.deepEqual(stream.writes.at(-1), ['heartbeat'], 'a write outside a read goes at once');
    stream.push(Buffer.from('next'));
    await turn();
    await turn();
    assert.deepEqual(stream.writes, [['ack-1', 'ack-2'], ['heartbeat'], ['ack-1', 'ack-2']]);
  });

  it('is set up once per socket, whatever the number of calls', async () => {
    const stream = new RecordingStream();
    const client = { stream } as unknown as MqttClient;
    oneWritePerRead(client);
    oneWritePerRead(client);
    assert.equal(stream.listenerCount('data'), 1);
  });

  describe('on a real Mosquitto', function () {
    this.timeout(20_000);
    let broker: TestBroker;
    let box: MqttClient;
    let conductor: MqttClient;

    before(async () => {
      broker = await startTestBroker('mosquitto');
      box = connectBroker(brokerSchema.parse({ url: broker.url }), { clientId: 'relais-test-box' });
      await waitConnected(box, broker.url);
      await box.subscribeAsync('relais/v1/test/#', { qos: 1 });
      conductor = await mqtt.connectAsync(broker.url, { clientId: 'relais-test-conductor' });
    });

    after(async () => {
      await box?.endAsync();
      await conductor?.endAsync();
      await broker?.stop();
    });

    it('a floor and an answer read together are acknowledged in one write', async () => {
      const socket = box.stream as unknown as { _writev?: (chunks: unknown[], ...a: unknown[]) => void; _write?: (...a: unknown[]) => void };
      const writes: number[] = [];
      const [writev, write] = [socket._writev!, socket._write!];
      // Bytes per write: an acknowledgement is 4 bytes (mqtt-packet hands it over in several chunks).
      socket._writev = function (this: unknown, chunks: unknown[], ...rest: unknown[]) {
        writes.push((chunks as Array<{ chunk: Buffer | string }>).reduce((n, c) => n + Buffer.byteLength(c.chunk), 0));
        return writev.call(this, chunks, ...rest);
      };
      socket._write = function (this: unknown, ...args: unknown[]) {
        writes.push(Buffer.byteLength(args[0] as Buffer | string));
        return write.apply(this, args);
      };
      let got = 0;
      box.on('message', () => (got += 1));
      try {
        for (let round = 0; round < 20; round++) {
          writes.length = 0;
          got = 0;
          // Published together, as the conductor publishes a floor and its answer: the broker sends them in one write.
          conductor.publish('relais/v1/test/floor', JSON.stringify({ round }), { qos: 1 });
          conductor.publish('relais/v1/test/events', JSON.stringify({ round }), { qos: 1 });
          await waitFor('both messages', () => got === 2, 5000);
          await turn();
          await turn();
          if (writes.length === 1) return void assert.equal(writes[0], 8, 'the one write carries both acknowledgements');
        }
        assert.fail(`the two acknowledgements never left in one write: ${JSON.stringify(writes)}`);
      } finally {
        socket._writev = writev;
        socket._write = write;
      }
    });
  });
});

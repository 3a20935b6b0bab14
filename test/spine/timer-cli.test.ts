/**
 * `relais floor adjust|skip|unskip|move` against a real conductor over the
 * embedded broker, and `relais floor status` showing the delay, in French.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Conductor } from '../../src/conductor/conductor.js';
import { startTestBroker, type TestBroker } from '../helpers/brokers.js';
import { runCli } from '../helpers/cli.js';
import { conductorConfig } from '../helpers/event.js';
import { quietLogger } from '../helpers/log.js';

describe('relais floor: the timer tools (embedded broker, real conductor)', function () {
  this.timeout(90_000);
  let broker: TestBroker;
  let dir: string;
  let conductor: Conductor;

  before(async () => {
    broker = await startTestBroker('aedes');
    dir = await mkdtemp(join(tmpdir(), 'relais-timer-cli-'));
    conductor = new Conductor({ config: conductorConfig(broker.url, join(dir, 'state.json')), log: quietLogger('conductor') });
    await conductor.start();
  });
  after(async () => {
    await conductor?.stop();
    await broker?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const floor = (...args: string[]) => runCli(['floor', ...args, '--broker', broker.url, '--event', 'test'], { RELAIS_LANG: 'fr' });

  it('adds minutes, skips, refuses in French with exit status 1, and the status shows the delay', async () => {
    assert.equal((await floor('next')).code, 0);
    const added = await floor('adjust', '+2');
    assert.equal(added.code, 0, added.output);
    assert.match(added.stdout, /ajuster la durée : acceptée/);
    assert.equal(conductor.floor().addedMinutes, 2);

    const refused = await floor('adjust', '-30');
    assert.equal(refused.code, 1, refused.output);
    assert.match(refused.stdout, /refusée \(-30 min sortirait le point de ses bornes \(10 min prévues; de -9 à \+180 min en tout\)\)/);
    const started = await floor('move', '1', '2');
    assert.equal(started.code, 1);
    assert.match(started.stdout, /le point 1 a déjà commencé/);

    assert.equal((await floor('skip', '2')).code, 0);
    assert.deepEqual(conductor.floor().schedule?.skipped, [1], 'item 2 of the list is index 1');
    const status = await floor('status');
    assert.equal(status.code, 0, status.output);
    assert.match(status.stdout, /écart sur l’horaire : \+2 min \(point en cours : \+2 min\)/);
    assert.match(status.stdout, /ensuite \(point, début\) : 2 sauté/);
  });

  it('prints the planned-vs-actual report: CSV with a header, and the table in French', async () => {
    assert.equal((await floor('revoke')).code, 0);
    const report = (...args: string[]) => runCli(['rundown', 'report', ...args, '--broker', broker.url, '--event', 'test'], { RELAIS_LANG: 'fr', TZ: 'America/Toronto' });
    const csv = await report('--csv');
    assert.equal(csv.code, 0, csv.output);
    const lines = csv.stdout.trimEnd().split('\r\n');
    assert.equal(lines[0], 'n°,titre,conférencier,site,début prévu,durée prévue (min),ajouté (min),début réel,fin réelle,durée réelle (min),écart de début (min),écart de durée (min),sauté');
    assert.equal(lines.length, 3, csv.stdout);
    const first = lines[1]!.split(',');
    assert.deepEqual([first[0], first[1], first[5], first[6], first[10]], ['1', 'Opening', '10', '+2', '0']);
    assert.match(first[9]!, /^\d+$/, 'the minutes it took');
    assert.match(first[7]!, /^\d{1,2} h( \d\d)?$/, 'a 24-hour Quebec time');
    assert.equal(first[7], first[4], 'started at its slot');
    assert.equal(Number(first[11]), Number(first[9]) - 10, 'actual minus planned');
    assert.deepEqual(lines[2]!.split(',').slice(0, 2).concat(lines[2]!.split(',').slice(-1)), ['2', 'Talk', 'oui']);
    const table = await report();
    assert.equal(table.code, 0, table.output);
    assert.match(table.stdout, /^Rapport de la journée : prévu et réel/);
    assert.match(table.stdout, /n°\s+titre\s+conférencier/);
  });

  it('refuses a minute count it cannot send, before reaching the broker', async () => {
    const zero = await floor('adjust', '0');
    assert.notEqual(zero.code, 0);
    assert.match(zero.output, /<minutes> ne doit pas valoir 0/);
    const big = await floor('adjust', '+90');
    assert.notEqual(big.code, 0);
    assert.match(big.output, /de -60 à 60, reçu «\s90\s»/);
  });
});

/** `relais rundown import`: a CSV rundown with errors by line, and the conductor config it writes into. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importRundown } from '../../src/commands/rundown.js';
import { loadConductorConfig } from '../../src/config/load.js';
import { parseRundownCsv, splitCsvLine } from '../../src/config/rundown-csv.js';
import { UserError } from '../../src/util/errors.js';

const GOOD = 'titre;conférencier;site;minutes\n"Mot de bienvenue; ouverture";Hélène Gagnon;saint-camille;5\nUn fleuve;Julie Pelletier;riviere-du-loup;12,5\n';

describe('rundown import from CSV', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relais-rundown-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('reads French headers, semicolons, quoted fields and decimal commas', () => {
    assert.deepEqual(splitCsvLine('"a, ""b""",c', ','), ['a, "b"', 'c']);
    const result = parseRundownCsv(GOOD);
    assert.ok(result.ok);
    assert.deepEqual(result.items, [
      { title: 'Mot de bienvenue; ouverture', speaker: 'Hélène Gagnon', site: 'saint-camille', minutes: 5 },
      { title: 'Un fleuve', speaker: 'Julie Pelletier', site: 'riviere-du-loup', minutes: 12.5 },
    ]);
  });

  it('names every bad line, in French, and imports nothing then', () => {
    const csv = 'title,speaker,site,minutes\nOuverture,H. G.,saint-camille,5\n,X,saint-camille,5\nPause,,saint-camille,abc\nFleuve,J. P.,riviere-du-lou,15\nFin,,saint-camille,0\n';
    const result = parseRundownCsv(csv, ['saint-camille', 'riviere-du-loup']);
    assert.ok(!result.ok);
    assert.deepEqual(result.errors, [
      'ligne 3 : title : ne doit pas être vide',
      'ligne 4 : minutes « abc » n’est pas un nombre',
      'ligne 5 : site « riviere-du-lou » n’est pas un des sites de l’événement (saint-camille, riviere-du-loup)',
      'ligne 6 : minutes : doit être un nombre de minutes supérieur à 0',
    ]);
    const noHeader = parseRundownCsv('Ouverture,H. G.,saint-camille,5\n');
    assert.ok(!noHeader.ok && /^ligne 1 : l’en-tête doit nommer/.test(noHeader.errors[0]!));
  });

  it('writes the rundown into a conductor config, keeping its comments, or refuses with the lines', async () => {
    const config = join(dir, 'conductor.yaml');
    await writeFile(config, '# the day\nevent: demo\nsites:\n  - id: saint-camille\n  - id: riviere-du-loup\nrundown: []\n');
    const csv = join(dir, 'day.csv');
    await writeFile(csv, GOOD);
    assert.match(await importRundown(csv, config), /2 point\(s\) de déroulement importé\(s\)/);
    const loaded = await loadConductorConfig(config);
    assert.deepEqual(loaded.rundown.map((r) => r.title), ['Mot de bienvenue; ouverture', 'Un fleuve']);
    assert.match(await readFile(config, 'utf8'), /^# the day/);
    const before = await readFile(config, 'utf8');
    await writeFile(csv, 'title,site,minutes\nQ,rouyn-noranda,5\n');
    await assert.rejects(importRundown(csv, config), (err: unknown) => err instanceof UserError && /ligne 2 : site « rouyn-noranda »/.test(err.message));
    assert.equal(await readFile(config, 'utf8'), before, 'a refused import changes nothing');
    // Without --into it prints the block to paste (no site list to check against).
    assert.equal(await importRundown(csv), 'rundown:\n  - title: Q\n    speaker: ""\n    site: rouyn-noranda\n    minutes: 5\n');
  });
});

/**
 * The shipped udev rules, read as udev reads them (udev(7): one rule a line,
 * comma-separated `KEY[{attr}]op"value"` pairs). No device can be plugged in
 * here, so this checks what would break on the box: links dropped by the
 * "change" events `udevadm trigger` sends, and names that follow plug order.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

const RULES = join(import.meta.dirname, '..', '..', 'hardware', 'udev', '99-relais.rules');
const KEYS = new Set(['ACTION', 'SUBSYSTEM', 'SUBSYSTEMS', 'KERNEL', 'KERNELS', 'ATTRS', 'ATTR', 'ENV', 'GROUP', 'MODE', 'OWNER', 'SYMLINK', 'GOTO', 'LABEL', 'IMPORT', 'OPTIONS', 'TAG', 'RUN']);

interface Pair {
  key: string;
  attr?: string;
  op: string;
  value: string;
}

function parseRule(line: string, at: number): Pair[] {
  const pairs: Pair[] = [];
  const re = /\s*([A-Z_]+)(?:\{([^}]+)\})?\s*(==|!=|\+=|-=|:=|=)\s*"([^"]*)"\s*(,|$)/y;
  let m: RegExpExecArray | null;
  while (re.lastIndex < line.length && (m = re.exec(line))) {
    pairs.push({ key: m[1]!, ...(m[2] ? { attr: m[2] } : {}), op: m[3]!, value: m[4]! });
    if (!m[5]) break;
  }
  assert.equal(re.lastIndex, line.length, `line ${at}: not a udev rule: ${line}`);
  for (const p of pairs) assert.ok(KEYS.has(p.key), `line ${at}: unknown key ${p.key}`);
  return pairs;
}

describe('deploy: hardware/udev/99-relais.rules', () => {
  let rules: Array<{ at: number; pairs: Pair[] }>;
  before(async () => {
    const lines = (await readFile(RULES, 'utf8')).split('\n');
    rules = lines.flatMap((line, i) => (line.trim() && !line.trim().startsWith('#') ? [{ at: i + 1, pairs: parseRule(line.trim(), i + 1) }] : []));
  });

  it('parses, and every GOTO has its LABEL', () => {
    const labels = new Set(rules.flatMap((r) => r.pairs.filter((p) => p.key === 'LABEL').map((p) => p.value)));
    for (const r of rules) for (const p of r.pairs.filter((q) => q.key === 'GOTO')) assert.ok(labels.has(p.value), `line ${r.at}: GOTO ${p.value} has no LABEL`);
  });

  it('handles "change" (what udevadm trigger sends) and skips only "remove"', () => {
    const actions = rules.flatMap((r) => r.pairs.filter((p) => p.key === 'ACTION').map((p) => ({ ...p, at: r.at })));
    assert.deepEqual(
      actions.map((a) => `${a.op}${a.value}`),
      ['==remove'],
      'a rule that skips "change" loses the links of adapters already plugged in',
    );
  });

  it('names adapters by serial number or USB port, never by the kernel number', () => {
    const links = rules.flatMap((r) => r.pairs.filter((p) => p.key === 'SYMLINK').map((p) => ({ value: p.value, at: r.at, pairs: r.pairs })));
    assert.ok(links.length >= 3);
    for (const link of links) {
      assert.doesNotMatch(link.value, /%n|\$number|%k|\$kernel/, `line ${link.at}: ${link.value} follows plug order`);
      if (link.value === 'relais-firmata') continue;
      assert.match(link.value, /^relais-visca-(\$env\{ID_SERIAL_SHORT\}-if\$env\{ID_USB_INTERFACE_NUM\}|port-\$env\{ID_PATH_TAG\})$/);
      // A name built from a property is only given when the property is there.
      const used = /\$env\{(\w+)\}/.exec(link.value)![1]!;
      assert.ok(link.pairs.some((p) => p.key === 'ENV' && p.attr === used && p.op === '==' && p.value === '?*'), `line ${link.at}: ${used} may be empty`);
    }
    // The properties come from udev's builtins, imported in this file, not from another rules file's order.
    const imports = rules.flatMap((r) => r.pairs.filter((p) => p.key === 'IMPORT').map((p) => p.value));
    assert.deepEqual(imports.sort(), ['path_id', 'usb_id']);
  });

  it('keeps ModemManager off and gives the ports to dialout', () => {
    const all = rules.flatMap((r) => r.pairs);
    assert.ok(all.some((p) => p.key === 'ENV' && p.attr === 'ID_MM_DEVICE_IGNORE' && p.op === '=' && p.value === '1'));
    assert.ok(all.some((p) => p.key === 'GROUP' && p.value === 'dialout'));
  });
});

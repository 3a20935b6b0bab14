/**
 * `relais doctor` for the network tally sources: connects to each configured
 * switcher as the box would, waits for its first tally or its refusal, and
 * says what was found and how to fix it (wrong IP, password, protocol
 * version, an ATEM with every client slot taken). For an ATEM it first tries
 * one handshake by hand, which names a full switcher at once.
 */
import type { TallySourceConfig } from '../tally/config.js';
import type { CheckResult } from './types.js';
import { t } from '../i18n/index.js';

export async function checkTallySources(sources: readonly TallySourceConfig[], timeoutMs = 5000): Promise<CheckResult[]> {
  if (sources.length === 0) return [{ check: 'tally', status: 'PASS', summary: t('doctor.tally.none') }];
  const { openTallySource, inputMapping } = await import('../tally/open.js');
  const { camerasFromSnapshot } = await import('../tally/trust.js');
  const { probeAtem, atemTrouble } = await import('../tally/atem-probe.js');
  const results: CheckResult[] = [];
  for (const config of sources) {
    if (config.kind === 'atem') {
      const probed = await probeAtem(config.host, config.port);
      if (probed !== 'accepted') {
        results.push({ check: 'tally', status: 'FAIL', summary: t(probed === 'rejected' ? 'doctor.tally.atemRejected' : 'doctor.tally.atemSilent', { host: config.host, port: config.port }), fix: atemTrouble(probed, config.host, config.port) });
        continue;
      }
    }
    const source = openTallySource(config);
    const outcome = new Promise<CheckResult>((resolve) => {
      const timer = setTimeout(() => {
        const c = source.connection();
        resolve({ check: 'tally', status: 'FAIL', summary: t('doctor.tally.silent', { source: source.describe, ms: timeoutMs }), fix: c.error ?? t('doctor.tally.silentFix') });
      }, timeoutMs);
      source.once('tally', (snapshot) => {
        clearTimeout(timer);
        const cams = Object.entries(camerasFromSnapshot(snapshot, inputMapping(config)));
        const unmatched = cams.filter(([camera]) => {
          const ref = String(inputMapping(config)[camera]);
          return !snapshot.inputs.some((i) => i.id === ref || i.name === ref);
        }).map(([camera]) => camera);
        const cameras = cams.map(([c, tally]) => `${c}=${tally?.program ? 'PGM' : tally?.preview ? 'PVW' : '-'}`).join(' ');
        const summary = t('doctor.tally.connected', { source: source.describe, n: snapshot.inputs.length, cameras });
        resolve(unmatched.length > 0
          ? { check: 'tally', status: 'WARN', summary, fix: t('doctor.tally.noInputFix', { cameras: unmatched.join(', '), inputs: snapshot.inputs.map((i) => i.name ?? i.id).join(', ') }) }
          : { check: 'tally', status: 'PASS', summary });
      });
    });
    source.start();
    results.push(await outcome);
    await source.stop();
  }
  return results;
}

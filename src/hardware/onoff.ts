/**
 * GPIO through the kernel's legacy sysfs interface, with onoff.
 *
 * Config speaks BCM numbers; this driver adds the chip base found by
 * {@link findGpioBase} (512 on a Pi 4 and 571 on a Pi 5 with kernel 6.6+, 0
 * before). onoff is loaded lazily inside {@link loadOnoffBackend}, so a box
 * without onoff, or without a built `epoll` addon, still starts with another
 * driver. Everything onoff does sits behind {@link SysfsGpioBackend}, which is
 * what the tests replace: onoff hard-codes `/sys/class/gpio` and cannot be
 * pointed at a fake tree.
 */
import { EventEmitter } from 'node:events';
import type { DigitalInput, DigitalOutput, IoDriver, PinSpec } from './types.js';
import { findGpioBase, GpioSetupError, type GpioChipInfo } from './gpiochip.js';
import { createLogger, type Logger } from '../util/log.js';
import { t } from '../i18n/index.js';

/** One exported sysfs line. Values are raw electrical levels (no inversion). */
export interface SysfsPin {
  readSync(): 0 | 1;
  writeSync(value: 0 | 1): void;
  /** Calls back on every interrupt (both edges); onoff may report the same level twice after bounce. */
  watch(callback: (err: Error | null | undefined, value: 0 | 1) => void): void;
  /** Stops watching, closes the value file and unexports the line. */
  unexport(): void;
}

/**
 * The thin seam around onoff: export a line as an input (interrupts on both
 * edges) or as an output that starts at `initial` (no glitch on the lamp).
 */
export interface SysfsGpioBackend {
  open(sysfsNumber: number, mode: 'input' | 'output', initial?: 0 | 1): SysfsPin;
}

/**
 * Loads onoff on demand. Fails with a message naming the fix when onoff or
 * its native `epoll` addon is missing.
 */
export async function loadOnoffBackend(): Promise<SysfsGpioBackend> {
  let Gpio: typeof import('onoff').Gpio;
  try {
    ({ Gpio } = await import('onoff'));
  } catch (err) {
    throw new GpioSetupError(
      `cannot load onoff (${(err as Error).message}): its native "epoll" addon must be built for this Node version ` +
        `(apt install build-essential python3, then "npm rebuild epoll" in the relais folder), or set io.driver to "firmata" or "simulated".`,
    );
  }
  return {
    open(sysfsNumber, mode, initial = 0) {
      // Raw levels: the driver inverts active-low inputs itself, so a stale
      // `active_low` left in sysfs by another program cannot flip our logic.
      const gpio = mode === 'input' ? new Gpio(sysfsNumber, 'in', 'both', { activeLow: false }) : new Gpio(sysfsNumber, initial === 1 ? 'high' : 'low', 'none', { activeLow: false });
      return {
        readSync: () => gpio.readSync(),
        writeSync: (value) => gpio.writeSync(value),
        watch: (callback) => gpio.watch(callback),
        unexport: () => gpio.unexport(),
      };
    },
  };
}

/** Explains an export failure in terms of what the technician can change. */
export function describeExportError(err: unknown, spec: PinSpec, sysfsNumber: number, chip: GpioChipInfo): Error {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const where = `${spec.name} (BCM ${String(spec.pin)}, sysfs gpio${sysfsNumber} on ${chip.chip} "${chip.label}")`;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return new GpioSetupError(`cannot export ${where}: permission denied. Add the service user to the "gpio" group (sudo usermod -aG gpio relais) and restart.`);
    case 'EBUSY':
      return new GpioSetupError(`cannot export ${where}: the pin is busy. Another program or a device-tree overlay (i2c, spi, 1-wire, a HAT) holds it; free it or move ${spec.name} to another pin in io.inputs/io.outputs.`);
    case 'ENOENT':
      return new GpioSetupError(`cannot export ${where}: /sys/class/gpio/export is missing. This kernel has no GPIO sysfs; set io.driver to "firmata" or "simulated".`);
    case 'EINVAL':
      return new GpioSetupError(`cannot export ${where}: the kernel refused the number. Check io.base / io.chip (kernel 6.6+ numbers sysfs lines from 512 up).`);
    default:
      return new GpioSetupError(`cannot export ${where}: ${(err as Error)?.message ?? String(err)}`);
  }
}

class SysfsInput extends EventEmitter<{ edge: [value: boolean, atMs: number] }> implements DigitalInput {
  private level: boolean;
  private closed = false;

  constructor(
    readonly name: string,
    private readonly pin: SysfsPin,
    private readonly activeLow: boolean,
    private readonly log: Logger,
  ) {
    super();
    this.level = this.toLogical(pin.readSync());
    pin.watch((err, value) => {
      if (this.closed) return;
      if (err) {
        this.log.warn(t('logs.gpioInterrupt'), { input: name, error: err.message });
        return;
      }
      this.update(this.toLogical(value));
    });
  }

  private toLogical(raw: 0 | 1): boolean {
    return this.activeLow ? raw === 0 : raw === 1;
  }

  /** Emits only real changes: after bounce onoff can report the same level twice. */
  private update(level: boolean): void {
    if (level === this.level) return;
    this.level = level;
    this.emit('edge', level, performance.now());
  }

  read(): boolean {
    if (!this.closed) this.level = this.toLogical(this.pin.readSync());
    return this.level;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.removeAllListeners();
    this.pin.unexport();
  }
}

class SysfsOutput implements DigitalOutput {
  private closed = false;
  private warned = false;

  constructor(
    readonly name: string,
    private readonly pin: SysfsPin,
    private readonly activeLow: boolean,
    private readonly log: Logger,
  ) {}

  write(level: boolean): void {
    if (this.closed) return;
    try {
      this.pin.writeSync(level !== this.activeLow ? 1 : 0);
      this.warned = false;
    } catch (err) {
      // A lamp that cannot be written must not take the box down; say it once per failure streak.
      if (!this.warned) this.log.error(t('logs.gpioWrite'), { output: this.name, error: (err as Error).message });
      this.warned = true;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.write(false);
    this.closed = true;
    this.pin.unexport();
  }
}

export interface OnoffDriverOptions {
  /** The chip carrying the BCM lines; `base` is added to every pin number. */
  chip: GpioChipInfo;
  backend: SysfsGpioBackend;
  log?: Logger;
}

/** {@link IoDriver} over sysfs GPIO. `PinSpec.pin` is a BCM number. */
export class OnoffDriver implements IoDriver {
  readonly kind = 'gpio';
  private readonly open = new Map<number, { name: string; pin: SysfsInput | SysfsOutput }>();
  private readonly log: Logger;

  constructor(private readonly options: OnoffDriverOptions) {
    this.log = options.log ?? createLogger('gpio');
  }

  get chip(): GpioChipInfo {
    return this.options.chip;
  }

  /** The sysfs number of a BCM pin: `base + bcm`, after range checks. */
  sysfsNumber(spec: PinSpec): number {
    const bcm = typeof spec.pin === 'number' ? spec.pin : /^\d+$/.test(spec.pin) ? Number(spec.pin) : Number.NaN;
    const { chip } = this.options;
    if (!Number.isInteger(bcm) || bcm < 0 || bcm >= chip.ngpio) {
      throw new GpioSetupError(t('setup.gpioNotBcm', { name: spec.name, pin: JSON.stringify(spec.pin), label: chip.label, last: chip.ngpio - 1 }));
    }
    return chip.base + bcm;
  }

  private claim(spec: PinSpec): number {
    const number = this.sysfsNumber(spec);
    const holder = this.open.get(number);
    if (holder) throw new GpioSetupError(t('setup.pinTaken', { name: spec.name, pin: `BCM ${String(spec.pin)}`, holder: holder.name }));
    return number;
  }

  private export(spec: PinSpec, number: number, mode: 'input' | 'output'): SysfsPin {
    try {
      // An active-low output is off when high: export it high so the lamp never blinks at start.
      return this.options.backend.open(number, mode, mode === 'output' && spec.activeLow ? 1 : 0);
    } catch (err) {
      throw describeExportError(err, spec, number, this.options.chip);
    }
  }

  async openInput(spec: PinSpec): Promise<DigitalInput> {
    const number = this.claim(spec);
    const input = new SysfsInput(spec.name, this.export(spec, number, 'input'), spec.activeLow ?? false, this.log);
    this.open.set(number, { name: spec.name, pin: input });
    return input;
  }

  async openOutput(spec: PinSpec): Promise<DigitalOutput> {
    const number = this.claim(spec);
    const output = new SysfsOutput(spec.name, this.export(spec, number, 'output'), spec.activeLow ?? false, this.log);
    this.open.set(number, { name: spec.name, pin: output });
    return output;
  }

  /** Unexports every pin this driver opened, so the next start can export them again. */
  async close(): Promise<void> {
    const pins = [...this.open.values()];
    this.open.clear();
    const results = await Promise.allSettled(pins.map(({ pin }) => pin.close()));
    for (const [i, result] of results.entries()) {
      if (result.status === 'rejected') this.log.warn(t('logs.gpioUnexport'), { pin: pins[i]!.name, error: String(result.reason) });
    }
  }
}

export interface CreateOnoffDriverOptions {
  sysfsRoot?: string;
  /** Chip label to use instead of the Raspberry Pi SoC labels. */
  label?: string;
  /** Skip the lookup and use this base (boards whose chip label is unknown). */
  base?: number;
  /** Replaces onoff (tests, or a future chardev backend). */
  backend?: SysfsGpioBackend;
  log?: Logger;
}

/** Looks up the chip base, loads onoff and returns a ready driver. */
export async function createOnoffDriver(options: CreateOnoffDriverOptions = {}): Promise<OnoffDriver> {
  const chip: GpioChipInfo =
    options.base !== undefined
      ? { chip: `gpiochip${options.base}`, base: options.base, ngpio: 58, label: options.label ?? 'configured base' }
      : await findGpioBase({ ...(options.sysfsRoot !== undefined ? { sysfsRoot: options.sysfsRoot } : {}), ...(options.label !== undefined ? { label: options.label } : {}) });
  const backend = options.backend ?? (await loadOnoffBackend());
  const log = options.log ?? createLogger('gpio');
  log.info('sysfs GPIO ready', { chip: chip.chip, label: chip.label, base: chip.base });
  return new OnoffDriver({ chip, backend, log });
}

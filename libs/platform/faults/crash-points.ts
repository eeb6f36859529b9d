import { ValidateBy, type ValidationArguments } from 'class-validator';

/**
 * Named crash points compiled into the product (issue #11): with `FAULT_CRASH_AT=<label>` the
 * process SIGKILLs itself the first time it reaches that line — no cleanup, no flush, as a
 * power cut or the OOM killer would — so a test can prove the system converges after a crash at
 * exactly that place. Boot refuses the variable in production and refuses unknown labels
 * (AppConfig), so a typo cannot silently turn a crash test into a no-op.
 */
export const CRASH_LABELS = [
  /** A transaction that wrote outbox rows has committed; the relay has not claimed them. */
  'after-business-commit',
  /** The relay's claim transaction (dispatched + pending inbox rows) committed; no consumer ran. */
  'after-relay-claim',
  /** A consumer's effects ran inside its inbox transaction, which has not committed. */
  'consumer-before-commit',
  /** A payment saga's hold step committed; the processor has not been asked to charge. */
  'saga-after-hold',
  /** The processor answered the charge; the saga's move to `post` has not committed. */
  'saga-after-charge',
  /** The processor answered a refund (order refund or refund_charge); nothing is committed. */
  'refund-mid-compensation',
  /** A notification provider accepted the message; the row is not yet marked `sent`. */
  'notification-after-send',
] as const;

export type CrashLabel = (typeof CRASH_LABELS)[number];

// Read from the environment directly (AppConfig validates the same variable at boot), once: a
// crash point must cost nothing when unset, and callable anywhere, outside DI.
const armed = process.env.FAULT_CRASH_AT;

/** SIGKILLs this process if FAULT_CRASH_AT names `label`; otherwise one comparison. */
export function crashPoint(label: CrashLabel): void {
  if (armed === label) process.kill(process.pid, 'SIGKILL');
}

/**
 * Named freeze points: with `FAULT_FREEZE_AT=<label>` the process SIGSTOPs itself the first time
 * it reaches that line, as a process swapped out, paused by a debugger or cut off by a
 * partition would stand still; a test SIGCONTs it later. Used to freeze a closer inside its
 * transaction past its lease.
 */
export const FREEZE_LABELS = [
  /** An invoice's finalizing transaction holds its tenant's row; the invoice is not yet final. */
  'invoice-finalizing',
] as const;

export type FreezeLabel = (typeof FREEZE_LABELS)[number];

const freezeAt = process.env.FAULT_FREEZE_AT;
let frozen = false;

/** SIGSTOPs this process the first time it gets here if FAULT_FREEZE_AT names `label`. */
export function freezePoint(label: FreezeLabel): void {
  if (freezeAt !== label || frozen) return;
  frozen = true;
  process.kill(process.pid, 'SIGSTOP');
}

/** FAULT_CRASH_AT must be unset in production: a crash point there would be an outage switch. */
export const NotInProduction = () =>
  ValidateBy({
    name: 'notInProduction',
    validator: {
      validate: (value: unknown, args?: ValidationArguments) =>
        value === undefined ||
        (args?.object as { NODE_ENV?: string } | undefined)?.NODE_ENV !== 'production',
      defaultMessage: () => 'crash points are for fault tests; refused when NODE_ENV=production',
    },
  });

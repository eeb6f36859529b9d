import { SANDBOX_CARDS } from '../processor/sandbox-processor.js';
import type { VaultCardRequest } from './vault.dto.js';

/**
 * The sandbox card network's test cards as the OpenAPI document shows them: a table in the
 * vault-card operation's description and one named request-body example per card, which Swagger
 * UI offers in its example drop-down. Built from SANDBOX_CARDS, so the document names the numbers
 * the sandbox really reacts to. The first example (an approving card) is the one Swagger UI
 * pre-fills.
 */
interface TestCard {
  summary: string;
  number: string;
  /** What POST /v1/payments/cards answers. */
  vaulting: string;
  /** What happens when the card is charged (a top-up, an order payment). */
  charging: string;
  overrides?: Partial<VaultCardRequest>;
}

const TEST_CARDS: Record<string, TestCard> = {
  approve: {
    summary: 'Visa that approves every charge',
    number: SANDBOX_CARDS.success,
    vaulting: '201',
    charging: 'approved: the top-up COMPLETES, the order is CONFIRMED',
  },
  approveMastercard: {
    summary: 'Mastercard that approves every charge',
    number: SANDBOX_CARDS.successMastercard,
    vaulting: '201',
    charging: 'approved',
  },
  decline: {
    summary: 'Declined when charged (card_declined)',
    number: SANDBOX_CARDS.declined,
    vaulting: '201',
    charging: 'declined: FAILED with `card_declined`',
  },
  insufficientFunds: {
    summary: 'Declined when charged (insufficient_funds)',
    number: SANDBOX_CARDS.insufficientFunds,
    vaulting: '201',
    charging: 'declined: FAILED with `insufficient_funds`',
  },
  fraudulent: {
    summary: 'Declined by the network as fraud (fraudulent)',
    number: SANDBOX_CARDS.fraudulent,
    vaulting: '201',
    charging: 'declined by the card network as fraud: FAILED with `fraudulent`',
  },
  processorTimeout: {
    summary: 'Charge captured, answer lost (timeout, then COMPLETED)',
    number: SANDBOX_CARDS.timeout,
    vaulting: '201',
    charging:
      'the money is captured but the network never answers: the call answers PENDING, the ' +
      'status lookup finds the charge and it COMPLETES (`charge_timeout` → `charge_confirmed`)',
  },
  processorLost: {
    summary: 'Charge never reaches the network (FAILED processor_timeout)',
    number: SANDBOX_CARDS.timeoutNotCaptured,
    vaulting: '201',
    charging:
      'the request is lost before the network: the lookup finds nothing, it is resent with the ' +
      'same key (3 attempts in all), then the hold is released: FAILED with `processor_timeout`',
  },
  slowDecline: {
    summary: 'Slow decline (processing_error)',
    number: SANDBOX_CARDS.slowDecline,
    vaulting: '201',
    charging: 'answers after ten times the sandbox latency: FAILED with `processing_error`',
  },
  incorrectCvc: {
    summary: 'Any card with CVC 000 fails verification (402)',
    number: '4000056655665556',
    vaulting: '402 `payments.card_declined`, `reason: incorrect_cvc`',
    charging: '—',
    overrides: { cvc: '000' },
  },
  badChecksum: {
    summary: 'Fails the Luhn checksum (400)',
    number: '4242424242424241',
    vaulting: '400 `payments.card_invalid` naming `number`',
    charging: '—',
  },
  expired: {
    summary: 'Past its expiry month (400)',
    number: SANDBOX_CARDS.success,
    vaulting: '400 `payments.card_expired` naming `expYear`',
    charging: '—',
    overrides: { expMonth: 1, expYear: 2020 },
  },
};

const BASE: Omit<VaultCardRequest, 'number'> = {
  expMonth: 12,
  expYear: 2035,
  cvc: '123',
  holderName: 'Ada Lovelace',
};

/** Named request-body examples for `@ApiBody({ examples })`: the approving card first. */
export const VAULT_CARD_EXAMPLES = Object.fromEntries(
  Object.entries(TEST_CARDS).map(([name, card]) => [
    name,
    {
      summary: card.summary,
      value: { number: card.number, ...BASE, ...card.overrides },
    },
  ]),
);

/** The Markdown table of the test cards, for the operation's description. */
export const SANDBOX_CARD_TABLE = [
  '| Example | Number | Vaulting answers | When charged (top-up, order payment) |',
  '|---|---|---|---|',
  ...Object.entries(TEST_CARDS).map(([name, card]) => {
    const extra = card.overrides
      ? ` (${Object.entries(card.overrides)
          .map(([k, v]) => `${k} ${String(v)}`)
          .join(', ')})`
      : '';
    return `| \`${name}\` | \`${card.number}\`${extra} | ${card.vaulting} | ${card.charging} |`;
  }),
].join('\n');

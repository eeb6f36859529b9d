import { createHash } from 'node:crypto';

export interface HashedEntryFields {
  accountId: string;
  version: string;
  transferId: string;
  transferKind: string;
  side: string;
  amount: string;
  debitsPosted: string;
  creditsPosted: string;
  debitsPending: string;
  creditsPending: string;
  createdAt: string;
  prevHash: string;
}

/** SHA-256 over every field of an entry and the previous entry's hash (the chain link). */
export function entryHash(e: HashedEntryFields): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        e.accountId,
        e.version,
        e.transferId,
        e.transferKind,
        e.side,
        e.amount,
        e.debitsPosted,
        e.creditsPosted,
        e.debitsPending,
        e.creditsPending,
        e.createdAt,
        e.prevHash,
      ]),
    )
    .digest('hex');
}

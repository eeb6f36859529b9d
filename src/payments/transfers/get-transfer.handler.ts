import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { PaymentsError } from '../payments.error.js';
import { Sagas } from './sagas.js';
import { mapTransfer, type TransferResponse } from './transfers.dto.js';

export class GetTransfer extends Query<TransferResponse> {
  constructor(
    readonly ownerId: string,
    readonly id: string,
  ) {
    super();
  }
}

@QueryHandler(GetTransfer)
export class GetTransferHandler implements IQueryHandler<GetTransfer> {
  constructor(private readonly sagas: Sagas) {}

  async execute({ ownerId, id }: GetTransfer): Promise<TransferResponse> {
    const saga = await this.sagas.findTransfer(ownerId, id);
    if (!saga) throw new PaymentsError('payments.transfer_not_found', `No transfer ${id}.`);
    return mapTransfer(saga);
  }
}

import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import type { RotationResult } from './vault.dto.js';
import { Vault } from './vault.js';

export class RotateVaultKeys extends Command<RotationResult> {}

@CommandHandler(RotateVaultKeys)
export class RotateVaultKeysHandler implements ICommandHandler<RotateVaultKeys> {
  constructor(private readonly vault: Vault) {}

  async execute(): Promise<RotationResult> {
    return { reencrypted: await this.vault.rotate() };
  }
}

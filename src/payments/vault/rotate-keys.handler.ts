import { ApiProperty } from '@nestjs/swagger';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Vault } from './vault.js';

export class RotationResult {
  @ApiProperty({ example: 42 }) reencrypted: number;
}

export class RotateVaultKeys extends Command<RotationResult> {}

@CommandHandler(RotateVaultKeys)
export class RotateVaultKeysHandler implements ICommandHandler<RotateVaultKeys> {
  constructor(private readonly vault: Vault) {}

  async execute(): Promise<RotationResult> {
    return { reencrypted: await this.vault.rotate() };
  }
}

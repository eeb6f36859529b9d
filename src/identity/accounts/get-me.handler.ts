import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { IdentityError } from '../identity.error.js';
import { mapUser, type UserResponse } from './accounts.dto.js';
import { User } from './user.entity.js';

export class GetMe extends Query<UserResponse> {
  constructor(readonly userId: string) {
    super();
  }
}

@QueryHandler(GetMe)
export class GetMeHandler implements IQueryHandler<GetMe> {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async execute({ userId }: GetMe): Promise<UserResponse> {
    const user = await this.dataSource.getRepository(User).findOneBy({ id: userId });
    if (!user) throw new IdentityError('identity.user_not_found', 'This account no longer exists.');
    return mapUser(user);
  }
}

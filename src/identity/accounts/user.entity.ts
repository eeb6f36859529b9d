import type { Role } from '@app/platform';
import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';

@Entity({ schema: 'identity', name: 'users' })
export class User {
  @PrimaryColumn('uuid') id: string;

  /** Stored lower-cased; unique. */
  @Index('users_email_key', { unique: true })
  @Column('text')
  email: string;

  @Column('text', { name: 'display_name' }) displayName: string;

  /** argon2id PHC string. Never leaves this context. */
  @Column('text', { name: 'password_hash' }) passwordHash: string;

  @Column('text', { array: true, default: () => `'{customer}'` }) roles: Role[];

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' }) updatedAt: Date;

  static register(
    email: string,
    displayName: string,
    passwordHash: string,
    roles: Role[] = ['customer'],
  ): User {
    const user = new User();
    user.id = uuidv7();
    user.email = normalizeEmail(email);
    user.displayName = displayName.trim();
    user.passwordHash = passwordHash;
    user.roles = roles;
    user.createdAt = new Date();
    user.updatedAt = user.createdAt;
    return user;
  }

  grant(role: Role): boolean {
    if (this.roles.includes(role)) return false;
    this.roles = [...this.roles, role];
    return true;
  }
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

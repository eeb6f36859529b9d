import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import {
  Authenticated,
  CurrentUser,
  decodeCursor,
  PageQuery,
  ProblemDoc,
  toPage,
  type Principal,
} from '@app/platform';
import { IsBoolean, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { DataSource } from 'typeorm';
import { NotificationsError } from '../notifications.error.js';

export class InboxItem {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'commerce.order-confirmed' }) eventType: string;
  @ApiProperty({ enum: ['critical', 'normal', 'low'] }) priority: string;
  @ApiProperty() title: string;
  @ApiProperty() body: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) readAt: string | null;
}

export class InboxPage {
  @ApiProperty({ type: [InboxItem] }) items: InboxItem[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}

export class Preferences {
  @ApiProperty({ description: 'Email for normal-priority messages (critical ones always go)' })
  @IsOptional()
  @IsBoolean()
  email: boolean;
  @ApiProperty() @IsOptional() @IsBoolean() sms: boolean;
  @ApiProperty() @IsOptional() @IsBoolean() push: boolean;
  @ApiPropertyOptional({ example: '+15555550100', nullable: true, type: String })
  @IsOptional()
  @IsString()
  @Matches(/^\+[1-9]\d{6,14}$/, { message: 'phone must be in E.164 form, e.g. +15555550100' })
  phone?: string;
  @ApiPropertyOptional({ description: 'Device token for push', nullable: true, type: String })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  pushToken?: string;
}

const mapItem = (r: any): InboxItem => ({
  id: r.id,
  eventType: r.event_type,
  priority: r.priority,
  title: r.title,
  body: r.body,
  createdAt: new Date(r.created_at).toISOString(),
  readAt: r.read_at ? new Date(r.read_at).toISOString() : null,
});

/** The in-app inbox and channel preferences. Reads go straight to the read model. */
@ApiTags('notifications')
@Authenticated()
@Controller('v1/notifications')
export class InboxController {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  @Get()
  @ApiOperation({ summary: 'Your in-app notifications, newest first' })
  @ApiOkResponse({ type: InboxPage })
  async list(@CurrentUser() user: Principal, @Query() page: PageQuery): Promise<InboxPage> {
    const after = decodeCursor<{ id: string }>(page.cursor, ['id']);
    const rows = await this.db.query(
      `SELECT * FROM notifications.notifications WHERE user_id = $1 AND channel = 'in_app' AND ($2::uuid IS NULL OR id < $2::uuid)
        ORDER BY id DESC LIMIT $3`,
      [user.userId, after?.id ?? null, page.limit + 1],
    );
    return toPage(rows, page.limit, mapItem, (r: any) => ({ id: r.id }));
  }

  @Post(':id/read')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark an in-app notification read' })
  @ApiOkResponse({ type: InboxItem })
  @ApiNotFoundResponse({ description: 'notifications.not_found', type: ProblemDoc })
  async read(
    @CurrentUser() user: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<InboxItem> {
    const [rows] = (await this.db.query(
      `UPDATE notifications.notifications SET read_at = COALESCE(read_at, now())
        WHERE id = $1 AND user_id = $2 AND channel = 'in_app' RETURNING *`,
      [id, user.userId],
    )) as [any[], number];
    if (!rows[0]) throw new NotificationsError('notifications.not_found', `No notification ${id}.`);
    return mapItem(rows[0]);
  }

  @Get('preferences')
  @ApiOperation({ summary: 'Your channel preferences and addresses' })
  @ApiOkResponse({ type: Preferences })
  async preferences(@CurrentUser() user: Principal): Promise<Preferences> {
    const [r] = await this.db.query(`SELECT * FROM notifications.recipients WHERE user_id = $1`, [
      user.userId,
    ]);
    if (!r)
      throw new NotificationsError(
        'notifications.not_found',
        'No notification profile yet; try again in a moment.',
      );
    return {
      email: r.email_enabled,
      sms: r.sms_enabled,
      push: r.push_enabled,
      phone: r.phone ?? undefined,
      pushToken: r.push_token ? '••••' : undefined,
    };
  }

  @Put('preferences')
  @ApiOperation({ summary: 'Change channel preferences; add a phone (SMS) or device token (push)' })
  @ApiOkResponse({ type: Preferences })
  async setPreferences(
    @CurrentUser() user: Principal,
    @Body() body: Preferences,
  ): Promise<Preferences> {
    const [rows] = (await this.db.query(
      `UPDATE notifications.recipients SET email_enabled = COALESCE($2, email_enabled), sms_enabled = COALESCE($3, sms_enabled),
              push_enabled = COALESCE($4, push_enabled), phone = COALESCE($5, phone), push_token = COALESCE($6, push_token), updated_at = now()
        WHERE user_id = $1 RETURNING *`,
      [
        user.userId,
        body.email ?? null,
        body.sms ?? null,
        body.push ?? null,
        body.phone ?? null,
        body.pushToken ?? null,
      ],
    )) as [any[], number];
    const r = rows[0];
    if (!r)
      throw new NotificationsError(
        'notifications.not_found',
        'No notification profile yet; try again in a moment.',
      );
    return {
      email: r.email_enabled,
      sms: r.sms_enabled,
      push: r.push_enabled,
      phone: r.phone ?? undefined,
      pushToken: r.push_token ? '••••' : undefined,
    };
  }
}

import { Controller, DynamicModule, Get, Inject, Module, Param } from '@nestjs/common';
import {
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiTags,
} from '@nestjs/swagger';
import { Public } from '../auth/auth.decorators.js';
import { PlatformError } from './app-error.js';
import { PLATFORM_ERRORS, PROBLEM_TYPE_PATH, type ErrorCatalogue } from './error-catalogue.js';
import { ProblemDoc } from './problem.dto.js';

const CATALOGUE = Symbol('PROBLEM_CATALOGUE');

export class ProblemType {
  @ApiProperty({ example: 'platform.rate_limited' }) code: string;
  @ApiProperty({ example: '/problems/platform.rate_limited' }) type: string;
  @ApiProperty({ example: 429 }) status: number;
  @ApiProperty({ example: 'Too many requests from this client in the current window.' })
  meaning: string;
  @ApiProperty({ example: 'Wait for `Retry-After` seconds, then retry.' }) action: string;
}

/**
 * The error-code catalogue: every `code` the API can answer with, where each problem's `type`
 * URI points (`/problems/{code}`), with its status, meaning and what a client should do.
 */
@ApiTags('platform')
@Public()
@Controller('problems')
export class ProblemsController {
  private readonly byCode: Map<string, ProblemType>;

  constructor(@Inject(CATALOGUE) catalogues: ErrorCatalogue[]) {
    this.byCode = new Map(
      catalogues.flatMap((catalogue) =>
        Object.entries(catalogue).map(([code, spec]) => [
          code,
          { code, type: PROBLEM_TYPE_PATH + code, ...spec },
        ]),
      ),
    );
  }

  @Get()
  @ApiOperation({ summary: 'Every problem code the API can return, with its status and advice' })
  @ApiOkResponse({ type: [ProblemType] })
  list(): ProblemType[] {
    return [...this.byCode.values()];
  }

  @Get(':code')
  @ApiOperation({ summary: 'One problem code: what a problem `type` URI resolves to' })
  @ApiOkResponse({ type: ProblemType })
  @ApiNotFoundResponse({ description: 'platform.not_found', type: ProblemDoc })
  get(@Param('code') code: string): ProblemType {
    const found = this.byCode.get(code);
    if (!found) throw new PlatformError('platform.not_found', 404, `No problem code ${code}.`);
    return found;
  }
}

/** Serves the catalogue of the platform's codes and every context's (`errors` in its descriptor). */
@Module({})
export class ProblemsModule {
  static forContexts(contexts: readonly { errors?: ErrorCatalogue }[]): DynamicModule {
    const catalogues: ErrorCatalogue[] = [
      PLATFORM_ERRORS,
      ...contexts.flatMap((c) => (c.errors ? [c.errors] : [])),
    ];
    return {
      module: ProblemsModule,
      controllers: [ProblemsController],
      providers: [{ provide: CATALOGUE, useValue: catalogues }],
    };
  }
}

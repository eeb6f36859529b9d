import { Controller, DynamicModule, Get, Inject, Module, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';
import { Public } from '../auth/auth.decorators.js';
import { PlatformError } from './app-error.js';
import {
  PLATFORM_ERRORS,
  PROBLEM_CODE,
  PROBLEM_TYPE_PATH,
  type ErrorCatalogue,
} from './error-catalogue.js';
import { ContextSchema } from './context-schema.js';
import { ApiProblems } from './problem-responses.decorator.js';

const CATALOGUE = Symbol('PROBLEM_CATALOGUE');

@ContextSchema('platform')
export class ProblemType {
  @ApiProperty({ pattern: PROBLEM_CODE.source, example: 'platform.rate_limited' }) code: string;
  @ApiProperty({
    format: 'uri-reference',
    example: '/problems/platform.rate_limited',
    description: 'The `type` of a problem with this code (this entry)',
  })
  type: string;
  @ApiProperty({ type: 'integer', format: 'int32', example: 429 }) status: number;
  @ApiProperty({ example: 'Too many requests from this client in the current window.' })
  meaning: string;
  @ApiProperty({ example: 'Wait for `Retry-After` seconds, then retry.' }) action: string;
}

/** `GET /problems/{code}`'s path: the code, checked before the lookup. */
@ContextSchema('platform')
export class ProblemCodeParam {
  @ApiProperty({ example: 'platform.rate_limited', description: 'A problem `code`' })
  @IsString()
  // Fastify's router refuses a longer path parameter anyway (414, its default maxParamLength).
  @MaxLength(100)
  @Matches(PROBLEM_CODE, {
    message: 'code must look like <context>.<snake_case>, e.g. platform.rate_limited',
  })
  code: string;
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
  @ApiOperation({
    summary: 'Every problem code the API can return, with its status and advice',
    description:
      "The whole catalogue, platform codes first, then each hosted context's: for every " +
      '`code` an error answer can carry, its HTTP status, what it means and what a client ' +
      'should do. Build client error handling on `code` (stable), not on `title` or `detail`. ' +
      'No token needed.',
  })
  @ApiOkResponse({ type: [ProblemType] })
  listProblems(): ProblemType[] {
    return [...this.byCode.values()];
  }

  @Get(':code')
  @ApiOperation({
    summary: 'One problem code: what a problem `type` URI resolves to',
    description:
      'Every error answer is problem+json whose `type` is `/problems/<code>`: following it ' +
      'lands here, with the status, meaning and advice for that code. A code that is not in ' +
      'the catalogue answers 404 `platform.not_found`; one that is not shaped like a code ' +
      '(`<context>.<snake_case>`) answers 400. No token needed.',
  })
  @ApiOkResponse({ type: ProblemType })
  @ApiProblems(PLATFORM_ERRORS, ['platform.not_found'], { validated: true })
  getProblem(@Param() { code }: ProblemCodeParam): ProblemType {
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

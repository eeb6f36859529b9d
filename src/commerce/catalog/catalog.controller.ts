import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ADMIN_ROLE, ApiProblems, Authenticated, ProblemDoc, Public, Roles } from '@app/platform';
import { COMMERCE_ERRORS } from '../commerce.error.js';
import {
  CategoryResponse,
  CreateCategoryRequest,
  CreateProductRequest,
  ProductResponse,
  UpdateProductRequest,
} from './catalog.dto.js';
import { CreateCategory } from './create-category.handler.js';
import { CreateProduct } from './create-product.handler.js';
import { GetProduct } from './get-product.handler.js';
import { ListCategories } from './list-categories.handler.js';
import { SearchProducts } from './search-products.handler.js';
import { SearchQuery, SearchResponse } from './search.dto.js';
import { UpdateProduct } from './update-product.handler.js';

const ERRORS = COMMERCE_ERRORS;

@ApiTags('commerce')
@ApiBadRequestResponse({
  description: 'Invalid request (fields listed in `errors`)',
  type: ProblemDoc,
})
@Controller('v1/commerce')
export class CatalogController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Public()
  @Get('products')
  @ApiOperation({
    summary: 'Search products: full text (prefix, ranked), filters, facet counts, cursor pages',
  })
  @ApiOkResponse({ type: SearchResponse })
  search(@Query() query: SearchQuery): Promise<SearchResponse> {
    return this.queries.execute(new SearchProducts(query));
  }

  @Public()
  @Get('products/:id')
  @ApiOperation({ summary: 'Product detail (served from cache, never stale after an update)' })
  @ApiOkResponse({ type: ProductResponse })
  @ApiProblems(ERRORS, ['commerce.product_not_found'])
  product(@Param('id', new ParseUUIDPipe()) id: string): Promise<ProductResponse> {
    return this.queries.execute(new GetProduct(id));
  }

  @Post('products')
  @Authenticated()
  @Roles(ADMIN_ROLE)
  @ApiOperation({ summary: 'Create a product (admin)' })
  @ApiCreatedResponse({ type: ProductResponse })
  @ApiProblems(ERRORS, ['commerce.sku_taken'])
  createProduct(@Body() body: CreateProductRequest): Promise<ProductResponse> {
    return this.commands.execute(new CreateProduct(body));
  }

  @Patch('products/:id')
  @Authenticated()
  @Roles(ADMIN_ROLE)
  @ApiOperation({ summary: 'Change a product (admin); `active: false` withdraws it' })
  @ApiOkResponse({ type: ProductResponse })
  @ApiProblems(ERRORS, ['commerce.product_not_found'])
  updateProduct(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: UpdateProductRequest,
  ): Promise<ProductResponse> {
    return this.commands.execute(new UpdateProduct(id, body));
  }

  @Delete('products/:id')
  @Authenticated()
  @Roles(ADMIN_ROLE)
  @HttpCode(204)
  @ApiOperation({
    summary:
      'Withdraw a product (admin): it leaves search and detail reads; orders keep their lines',
  })
  @ApiNoContentResponse({ description: 'Withdrawn; the product no longer appears in reads' })
  @ApiProblems(ERRORS, ['commerce.product_not_found'])
  async deleteProduct(@Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    await this.commands.execute(new UpdateProduct(id, { active: false }));
  }

  @Public()
  @Get('categories')
  @ApiOperation({ summary: 'The category tree, flattened in path order' })
  @ApiOkResponse({ type: [CategoryResponse] })
  categories(): Promise<CategoryResponse[]> {
    return this.queries.execute(new ListCategories());
  }

  @Post('categories')
  @Authenticated()
  @Roles(ADMIN_ROLE)
  @ApiOperation({ summary: 'Create a category (admin)' })
  @ApiCreatedResponse({ type: CategoryResponse })
  @ApiProblems(ERRORS, ['commerce.slug_taken'])
  createCategory(@Body() body: CreateCategoryRequest): Promise<CategoryResponse> {
    return this.commands.execute(new CreateCategory(body));
  }
}

import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ADMIN_ROLE, ApiProblems, Authenticated, Public, Roles, UuidParam } from '@app/platform';
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
@Controller('v1/commerce')
export class CatalogController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Public()
  @Get('products')
  @ApiOperation({
    summary: 'Search the catalogue: full text, filters, facets, cursor pages',
    description:
      'Where shopping starts; no token needed. Full-text search over the products on sale ' +
      '(withdrawn ones never appear): every word of `q` matches as a prefix, name matches rank ' +
      'above description matches. Filter by category (its whole subtree), price range and ' +
      '`inStock`. Each hit carries its `rank` and `available` stock.\n\n' +
      '`facets` counts the whole result, not just this page: matches per category (the 50 ' +
      'largest) and per price bucket, and the `total`. Results are ordered by rank (newest ' +
      'first without `q`); for the next page send the same query with `cursor` = `nextCursor` ' +
      'until it is null.\n\n' +
      'Next: `GET /v1/commerce/products/{id}` for one product, or ' +
      '`POST /v1/commerce/cart/items` with a hit’s `id` to buy it.',
  })
  @ApiOkResponse({ type: SearchResponse })
  @ApiProblems(ERRORS, [], { validated: true })
  searchProducts(@Query() query: SearchQuery): Promise<SearchResponse> {
    return this.queries.execute(new SearchProducts(query));
  }

  @Public()
  @Get('products/:id')
  @ApiOperation({
    summary: 'Get a product (cached, never stale after an update)',
    description:
      'One product on sale, by the `id` a search hit or a cart line gives; no token needed. ' +
      'Served from a cache that every change invalidates before it is answered, so a read ' +
      'after an update always sees it. A withdrawn product answers 404 ' +
      '`commerce.product_not_found`. Its stock is at `GET /v1/commerce/inventory/{sku}`.\n\n' +
      'Next: `POST /v1/commerce/cart/items` with this `id`.',
  })
  @ApiOkResponse({ type: ProductResponse })
  @ApiProblems(ERRORS, ['commerce.product_not_found'])
  getProduct(@UuidParam('id', 'The product id') id: string): Promise<ProductResponse> {
    return this.queries.execute(new GetProduct(id));
  }

  @Post('products')
  @Authenticated()
  @Roles(ADMIN_ROLE)
  @ApiOperation({
    summary: 'Create a product (admin)',
    description:
      'Admin only. Adds a product on sale (version 1) and its stock record with 0 units on ' +
      'hand; search finds it at once. `sku` is unique (409 `commerce.sku_taken`); a ' +
      '`categoryId` must exist (404 `commerce.category_not_found`).\n\n' +
      'Next: `PUT /v1/commerce/inventory/{sku}` to set the units on hand — an order for a ' +
      'product without stock fails `out_of_stock` at checkout, before anything is charged.',
  })
  @ApiCreatedResponse({ type: ProductResponse })
  @ApiProblems(ERRORS, ['commerce.category_not_found', 'commerce.sku_taken'], { validated: true })
  createProduct(@Body() body: CreateProductRequest): Promise<ProductResponse> {
    return this.commands.execute(new CreateProduct(body));
  }

  @Patch('products/:id')
  @Authenticated()
  @Roles(ADMIN_ROLE)
  @ApiOperation({
    summary: 'Change a product (admin); `active: false` withdraws it',
    description:
      'Admin only. Changes only the fields sent (`attributes` is replaced as a whole; a ' +
      'category can be changed, not removed); `version` goes up by one. The cached copy is ' +
      'dropped before the answer and search sees the change at once. A new price shows in ' +
      'carts immediately and applies to orders placed from then on; placed orders keep the ' +
      'price they were charged. `active: false` withdraws the product (as DELETE does), ' +
      '`active: true` puts a withdrawn one back on sale.',
  })
  @ApiOkResponse({ type: ProductResponse })
  @ApiProblems(ERRORS, ['commerce.product_not_found', 'commerce.category_not_found'], {
    validated: true,
  })
  updateProduct(
    @UuidParam('id', 'The product id') id: string,
    @Body() body: UpdateProductRequest,
  ): Promise<ProductResponse> {
    return this.commands.execute(new UpdateProduct(id, body));
  }

  @Delete('products/:id')
  @Authenticated()
  @Roles(ADMIN_ROLE)
  @HttpCode(204)
  @ApiOperation({
    summary: 'Withdraw a product (admin): it leaves search and detail reads',
    description:
      'Admin only. A soft delete: the product stops being sold — it leaves search, its ' +
      'detail answers 404 and it can no longer be added to a cart. A cart that already holds ' +
      'it keeps the line, but checkout refuses it (422 `commerce.product_unavailable`) until ' +
      'it is removed; placed orders keep their lines. Repeating it answers 204 again; ' +
      '`PATCH /v1/commerce/products/{id}` with `active: true` puts it back on sale.',
  })
  @ApiNoContentResponse({ description: 'Withdrawn; the product no longer appears in reads' })
  @ApiProblems(ERRORS, ['commerce.product_not_found'])
  async deleteProduct(@UuidParam('id', 'The product id') id: string): Promise<void> {
    await this.commands.execute(new UpdateProduct(id, { active: false }));
  }

  @Public()
  @Get('categories')
  @ApiOperation({
    summary: 'List the category tree, flattened in path order',
    description:
      'Every category, no token needed, not paged: sorted by `path`, so a parent comes right ' +
      'before its subtree. Use an `id` as `categoryId` to search a category and everything ' +
      'under it (`GET /v1/commerce/products?categoryId=…`), or to file a product in it.',
  })
  @ApiOkResponse({ type: [CategoryResponse] })
  listCategories(): Promise<CategoryResponse[]> {
    return this.queries.execute(new ListCategories());
  }

  @Post('categories')
  @Authenticated()
  @Roles(ADMIN_ROLE)
  @ApiOperation({
    summary: 'Create a category (admin)',
    description:
      'Admin only. A top-level category, or one under `parentId` (404 ' +
      '`commerce.category_not_found` if there is none); its `path` is the parent’s path plus ' +
      'its `slug`. Slugs are unique across the whole tree (409 `commerce.slug_taken`).',
  })
  @ApiCreatedResponse({ type: CategoryResponse })
  @ApiProblems(ERRORS, ['commerce.category_not_found', 'commerce.slug_taken'], { validated: true })
  createCategory(@Body() body: CreateCategoryRequest): Promise<CategoryResponse> {
    return this.commands.execute(new CreateCategory(body));
  }
}

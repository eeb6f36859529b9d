import {
  GraphQLError,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/** The list fields of the schema: each takes `first` (default 20) and multiplies what it holds. */
export const PAGED_FIELDS: ReadonlySet<string> = new Set([
  'feed',
  'comments',
  'posts',
  'followers',
]);
export const DEFAULT_FIRST = 20;
export const MAX_FIRST = 100;

export interface QueryLimits {
  /** Nesting of fields below the operation (introspection's `__schema`/`__type` not counted). */
  maxDepth: number;
  /** Each field costs 1, multiplied by the `first` of every list around it. */
  maxCost: number;
}

interface Measure {
  depth: number;
  cost: number;
}

/** A document over the limits: 400, one GraphQL error per problem, nothing executed. */
export class QueryLimitsExceeded extends Error {
  readonly statusCode = 400;
  constructor(readonly errors: GraphQLError[]) {
    super('The query is over the limits of this API.');
  }
}

/**
 * Checked on the validated document before execution (mercurius' `preExecution` hook, so the
 * parsed and validated document stays cached), so it answers before any resolver runs: refuses
 * an operation nested deeper than `maxDepth`, one whose cost exceeds `maxCost`, and a `first`
 * outside 1–100. Variables are the request's, so `first: $n` costs what `$n` is.
 * Introspection (GraphiQL's schema query) counts in cost but not in depth: its type references
 * nest ten levels by design and only read the schema held in memory.
 */
export function checkQueryLimits(
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  limits: QueryLimits,
): void {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions)
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const errors: GraphQLError[] = [];
  for (const operation of document.definitions) {
    if (operation.kind !== Kind.OPERATION_DEFINITION) continue;
    // A variable the request leaves out takes its declared default (`$n: Int = 100`): cost it.
    const defaults: Record<string, unknown> = {};
    for (const v of operation.variableDefinitions ?? [])
      if (v.defaultValue?.kind === Kind.INT)
        defaults[v.variable.name.value] = Number(v.defaultValue.value);
    const walker = new Walker(fragments, { ...defaults, ...variables });
    const { depth, cost } = walker.walk(operation.selectionSet);
    if (depth > limits.maxDepth) {
      walker.problems.add(
        `The query nests ${depth} levels of fields; at most ${limits.maxDepth} are allowed.`,
      );
    }
    if (cost > limits.maxCost) {
      walker.problems.add(
        `The query costs ${cost}, over the limit of ${limits.maxCost} (each field counts 1, ` +
          `multiplied by the "first" of every list around it): ask for fewer items or fields.`,
      );
    }
    for (const message of walker.problems)
      errors.push(new GraphQLError(message, { nodes: operation }));
  }
  if (errors.length > 0) throw new QueryLimitsExceeded(errors);
}

/** Depth and cost of one operation, fragments measured once each. */
class Walker {
  readonly problems = new Set<string>();
  private readonly measured = new Map<string, Measure>();
  private readonly visiting = new Set<string>();

  constructor(
    private readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>,
    private readonly variables: Record<string, unknown> | undefined,
  ) {}

  walk(set: SelectionSetNode | undefined): Measure {
    const total: Measure = { depth: 0, cost: 0 };
    for (const selection of set?.selections ?? []) {
      let part: Measure | undefined;
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value === '__typename') continue;
        const inner = this.walk(selection.selectionSet);
        const introspection = selection.name.value.startsWith('__');
        part = {
          depth: introspection ? 0 : 1 + inner.depth,
          cost: 1 + this.pageSize(selection) * inner.cost,
        };
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        part = this.walk(selection.selectionSet);
      } else {
        part = this.fragment(selection.name.value);
      }
      if (!part) continue;
      total.depth = Math.max(total.depth, part.depth);
      total.cost += part.cost;
    }
    return total;
  }

  private fragment(name: string): Measure | undefined {
    const fragment = this.fragments.get(name);
    // Unknown and cyclic fragments were refused by validation; never loop on one.
    if (!fragment || this.visiting.has(name)) return undefined;
    if (!this.measured.has(name)) {
      this.visiting.add(name);
      this.measured.set(name, this.walk(fragment.selectionSet));
      this.visiting.delete(name);
    }
    return this.measured.get(name);
  }

  private pageSize(field: FieldNode): number {
    const name = field.name.value;
    if (!PAGED_FIELDS.has(name)) return 1;
    const arg = field.arguments?.find((a) => a.name.value === 'first');
    let value: unknown = DEFAULT_FIRST;
    if (arg?.value.kind === Kind.INT) value = Number(arg.value.value);
    else if (arg?.value.kind === Kind.VARIABLE)
      value = this.variables?.[arg.value.name.value] ?? DEFAULT_FIRST;
    else if (arg) value = Number.NaN;
    if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_FIRST) {
      return value;
    }
    this.problems.add(
      `Argument "first" of field "${name}" must be an integer from 1 to ${MAX_FIRST}.`,
    );
    return MAX_FIRST;
  }
}

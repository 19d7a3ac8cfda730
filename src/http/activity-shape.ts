/**
 * The least an activity must have before any turn runs. botbuilder's own parsing throws deep in
 * the adapter on such input; checking here turns it into a clear 400 instead of a 500.
 *
 * Written out by hand rather than as a schema: it runs on every request, and a schema library's
 * passthrough parse copies the whole activity to check a dozen fields (measured in bench/README.md).
 */
type Check = (value: unknown) => string | undefined;

const string =
  (min: number, max = Infinity): Check =>
  (value) => {
    if (typeof value !== 'string') return `Expected string, received ${kindOf(value)}`;
    if (value.length < min) return `String must contain at least ${min} character(s)`;
    if (value.length > max) return `String must contain at most ${max} character(s)`;
    return undefined;
  };

const object =
  (fields: Record<string, Check>): Check =>
  (value) => {
    if (kindOf(value) !== 'object') return `Expected object, received ${kindOf(value)}`;
    return firstProblem(value as Record<string, unknown>, fields);
  };

const arrayOfObjects: Check = (value) => {
  if (!Array.isArray(value)) return `Expected array, received ${kindOf(value)}`;
  const index = value.findIndex((item) => kindOf(item) !== 'object');
  return index < 0 ? undefined : `${index}: Expected object, received ${kindOf(value[index])}`;
};

const optional =
  (check: Check): Check =>
  (value) =>
    value === undefined ? undefined : check(value);

const account = object({ id: string(0, 512) });

/** Fields not listed here (value, channelData, name, …) pass as they are. */
const ACTIVITY: Record<string, Check> = {
  type: string(1, 64),
  id: optional(string(0, 512)),
  channelId: string(1, 128),
  serviceUrl: string(1, 2048),
  conversation: object({ id: string(1, 1024) }),
  from: optional(account),
  recipient: optional(account),
  text: optional(string(0)),
  locale: optional(string(0, 64)),
  entities: optional(arrayOfObjects),
  attachments: optional(arrayOfObjects),
};

export type ActivityProblem = { ok: true } | { ok: false; message: string };

export function checkActivityShape(body: unknown): ActivityProblem {
  if (kindOf(body) !== 'object') return { ok: false, message: 'the body must be a JSON activity object' };
  const problem = firstProblem(body as Record<string, unknown>, ACTIVITY);
  return problem === undefined ? { ok: true } : { ok: false, message: `invalid activity: ${problem}` };
}

/** "field: what is wrong" for the first field that fails, nested fields joined with dots. */
function firstProblem(value: Record<string, unknown>, fields: Record<string, Check>): string | undefined {
  for (const [name, check] of Object.entries(fields)) {
    const field = value[name];
    const problem = check(field);
    if (problem === undefined) continue;
    if (field === undefined) return `${name}: Required`;
    // A nested problem already starts with its own field name.
    return `${name}${/^[A-Z]/.test(problem) ? ': ' : '.'}${problem}`;
  }
  return undefined;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

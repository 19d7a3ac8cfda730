import { createErrorMatcher } from '../src/matching/known-errors';
const m = createErrorMatcher();
for (const t of process.argv.slice(2)) console.log(JSON.stringify(m.match(t)), t);

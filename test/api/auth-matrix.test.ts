import { describeAuthMatrix } from './support/auth-matrix.js';

// Every route of API_ROUTES × every kind of caller (rest-api.md §1–§3), on one region; the same
// matrix through a second region's node is auth-matrix-regions.test.ts.
describeAuthMatrix('one region');

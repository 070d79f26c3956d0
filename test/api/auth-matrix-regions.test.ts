import { describeAuthMatrix } from './support/auth-matrix.js';

// Every route of API_ROUTES × every kind of caller, with organization A in another region than the
// node that is called: each call is forwarded, and each credential checked in the control store.
describeAuthMatrix('two regions');

// The status document of DESIGN.md, as the daemon builds it (one shape everywhere).
export type { LinkStatus, Status } from '../../../src/status/status.js';

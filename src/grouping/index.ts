export type { ExceptionInput, FrameInput, GroupingInput, StacktraceInput } from './grouping-input.js';
export type { GroupingMechanism, GroupingResult, GroupingVariant } from './grouping-mechanism.js';
export {
  deriveIssueSummary,
  type IssueMetadata,
  type IssueSummary,
  UNLABELED_TITLE,
} from './issue-summary.js';
export { CURRENT_MECHANISM, computeGrouping, mechanisms } from './mechanisms.js';
export { normalizeMessage, parameterize } from './parameterize.js';

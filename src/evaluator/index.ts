/**
 * The evaluators' public surface: PASCAL VOC AP (voc_eval / devkit), COCO bbox (COCOeval),
 * proposal recall (evaluate_recall), and reports. In-memory forms for the pipeline
 * (`DetectionList`, `ImageEntry[]`) and file readers for the CLI.
 */
export type { DetectionList } from './detection-list.ts';
export {
  evaluateVoc,
  vocGroundTruthFromEntries,
  vocDetectionsFromList,
  type VocGroundTruth,
  type VocDetections,
  type VocResult,
  type VocClassResult,
  type VocEvalOptions,
} from './voc-eval.ts';
export { vocAp07, vocApAllPoint } from './voc-ap.ts';
export { readVocDevkit, readVocDetections, readImageSet, parseVocAnnotation, findDetectionFiles } from './voc-devkit.ts';
export {
  readCocoGroundTruth,
  readCocoResults,
  parseCocoGroundTruth,
  parseCocoResults,
  cocoGroundTruthFromEntries,
  cocoDetectionsFromList,
  type CocoGroundTruth,
  type CocoDetections,
  type CocoId,
} from './coco-data.ts';
export {
  evaluateCoco,
  defaultCocoParams,
  summarizeCoco,
  formatCocoSummary,
  perCategoryAp,
  type CocoResult,
  type CocoParams,
  type CocoEvalOptions,
} from './coco-eval.ts';
export {
  proposalRecall,
  RECALL_THRESHOLDS,
  type RecallImage,
  type ProposalLookup,
  type ProposalRecallOptions,
  type ProposalRecallResult,
} from './proposal-recall.ts';
export { readDetectionBoxes, openBoxesDir } from './box-files.ts';
export { readProposals, recallImagesFromVoc, recallImagesFromCoco } from './proposal-input.ts';
export { buildReport, renderReportHtml, renderReportSection, parseReport, COCO_STAT_NAMES, type EvalReport, type ReportInput, type ReportMeta } from './report.ts';
export { pairwiseSum, npMean, linspace, arange, argsortDesc } from './numeric.ts';
export { formatFixed } from './format.ts';

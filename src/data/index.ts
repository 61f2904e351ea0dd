/**
 * Datasets and images: the generated shapes dataset (a VOC tree), VOC and COCO loaders,
 * image decoding, resizing and flips, network blobs, and the training image order.
 */
export type { AnnotatedObject, DetectionDataset, ImageBlob, ImageEntry, PixelBox } from './types.ts';
export { BrokenInputHandler, SKIPPED_INPUT_CODE, type OnBroken, type SkippedInput } from './broken-input.ts';
export { decodeImage, decodeImageBytes, encodeImage, imageSizeOfBytes, readImageSize, sniffFormat, type ImageFormat, type RgbImage } from './image-io.ts';
export { computeScale, resizeBilinear, roundHalfEven, scaledSize, type ResizeOptions } from './resize.ts';
export { flipBoxes, flipImageHwc } from './flip.ts';
export { DEFAULT_IMAGE_CACHE_BYTES, ImageCache, type ImageCacheStats } from './image-cache.ts';
export { DEFAULT_PIXEL_MEANS, entryTargets, hasTrainingTargets, prepareImageBlob, type PrepareOptions } from './blob.ts';
export { formatVocAnnotation, parseVocAnnotation, type VocAnnotation, type VocObject } from './voc-annotation.ts';
export { DATASET_META_FILE, loadVocDataset, VOC_CLASSES, type VocDataset, type VocLoadOptions } from './voc.ts';
export { loadCocoDataset, type CocoDataset, type CocoLoadOptions } from './coco.ts';
export { SHAPE_CLASSES, defaultRenderOptions, renderShapesImage, type ShapeClass, type ShapesRenderOptions } from './shapes-render.ts';
export {
  DEFAULT_SHAPES_SEED,
  DEFAULT_SHAPES_SIZE,
  DEFAULT_SHAPES_TEST,
  DEFAULT_SHAPES_TRAIN,
  generateShapesDataset,
  shapesImageSeed,
  type ShapesDatasetOptions,
  type ShapesDatasetResult,
} from './shapes-dataset.ts';
export { TrainingImageStream, type TrainingSample, type TrainingStreamOptions, type TrainingStreamState } from './training-stream.ts';
export { formatDatasetSummary, summarizeDataset, type DatasetSummary, type SplitSummary } from './dataset-info.ts';
export { datasetDigest, type DigestOptions } from './digest.ts';
export { CLASS_COLOURS, renderContactSheet, type ContactSheetOptions } from './preview.ts';
export { toCocoGroundTruth, type CocoGroundTruthJson } from './coco-export.ts';
export { isNotFound, localFiles, type DatasetFiles } from './dataset-files.ts';

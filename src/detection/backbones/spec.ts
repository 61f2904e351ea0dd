/** Backbones as data: a list of layers the generic builder turns into parameters and a forward pass. */

export type BackboneName = 'small' | 'zf' | 'vgg16';
export const BACKBONES: readonly BackboneName[] = ['small', 'zf', 'vgg16'];

export type BackboneLayer =
  /** Convolution + ReLU. `pad`: pixels each side (Caffe's pad), so `size 3, pad 1` keeps the size. */
  | { kind: 'conv'; name: string; filters: number; size: number; stride: number; pad: number }
  /** Max pooling; `pad` pixels each side, or 'same' (= Caffe's ceil mode for size = stride = 2). */
  | { kind: 'pool'; size: number; stride: number; pad: number | 'same' }
  /**
   * Caffe LRN with norm_region WITHIN_CHANNEL (ZF): x / (1 + α·mean_{n×n}(x²))^β, the mean
   * taken over the window with zeros outside the image and divided by n² everywhere, as
   * Caffe's padded AVE pooling does (lrn.ts).
   */
  | { kind: 'lrn'; name: string; size: number; alpha: number; beta: number };

/**
 * Normalisation after each backbone conv (before its ReLU). 'none' is the papers' ZF/VGG16;
 * 'group' (GroupNorm, Wu & He 2018: statistics per image, so batch size 1 is fine) lets the
 * small backbone train from scratch in hundreds rather than tens of thousands of iterations.
 */
export type BackboneNorm = 'none' | 'group';

export interface BackboneSpec {
  name: BackboneName;
  layers: readonly BackboneLayer[];
  /** Channels of the last layer (the shared feature map). */
  outChannels: number;
  /** Product of the strides: image pixels per feature-map pixel. */
  stride: number;
}

function conv(name: string, filters: number, size = 3, stride = 1, pad = (size - 1) / 2): BackboneLayer {
  return { kind: 'conv', name, filters, size, stride, pad };
}

/** Like the torchvision peer's "tiny": 3×3 convs 32, 64, 128, 256 with 2×2 max pools between; stride 8. */
const SMALL: BackboneSpec = {
  name: 'small',
  layers: [
    conv('conv1', 32),
    { kind: 'pool', size: 2, stride: 2, pad: 0 },
    conv('conv2', 64),
    { kind: 'pool', size: 2, stride: 2, pad: 0 },
    conv('conv3', 128),
    { kind: 'pool', size: 2, stride: 2, pad: 0 },
    conv('conv4', 256),
  ],
  outChannels: 256,
  stride: 8,
};

/** Zeiler & Fergus as in py-faster-rcnn's ZF prototxt (conv1 7×7/2 96 … conv5 256); stride 16. */
const ZF: BackboneSpec = {
  name: 'zf',
  layers: [
    conv('conv1', 96, 7, 2, 3),
    { kind: 'lrn', name: 'norm1', size: 3, alpha: 0.00005, beta: 0.75 },
    { kind: 'pool', size: 3, stride: 2, pad: 1 },
    conv('conv2', 256, 5, 2, 2),
    { kind: 'lrn', name: 'norm2', size: 3, alpha: 0.00005, beta: 0.75 },
    { kind: 'pool', size: 3, stride: 2, pad: 1 },
    conv('conv3', 384),
    conv('conv4', 384),
    conv('conv5', 256),
  ],
  outChannels: 256,
  stride: 16,
};

/** VGG16's 13 convolutions up to conv5_3 (no pool5); stride 16. */
const VGG16: BackboneSpec = {
  name: 'vgg16',
  layers: [
    conv('conv1_1', 64),
    conv('conv1_2', 64),
    { kind: 'pool', size: 2, stride: 2, pad: 'same' },
    conv('conv2_1', 128),
    conv('conv2_2', 128),
    { kind: 'pool', size: 2, stride: 2, pad: 'same' },
    conv('conv3_1', 256),
    conv('conv3_2', 256),
    conv('conv3_3', 256),
    { kind: 'pool', size: 2, stride: 2, pad: 'same' },
    conv('conv4_1', 512),
    conv('conv4_2', 512),
    conv('conv4_3', 512),
    { kind: 'pool', size: 2, stride: 2, pad: 'same' },
    conv('conv5_1', 512),
    conv('conv5_2', 512),
    conv('conv5_3', 512),
  ],
  outChannels: 512,
  stride: 16,
};

export const BACKBONE_SPECS: Readonly<Record<BackboneName, BackboneSpec>> = { small: SMALL, zf: ZF, vgg16: VGG16 };

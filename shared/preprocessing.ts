// How a model wants its input: stored as preprocessing.json beside model.json.
// The dataset loader turns any image into exactly this tensor layout (H x W x C, float32).
import { z } from 'zod';

export const PreprocessingSchema = z
  .object({
    /** Input height and width in pixels; images of any size are resized (bilinear) to this. */
    height: z.number().int().positive(),
    width: z.number().int().positive(),
    /** 1 = grayscale (luma of RGB), 3 = RGB. */
    channels: z.union([z.literal(1), z.literal(3)]),
    /** Pixel bytes are divided by this first: 255 maps to [0, 1]. */
    scale: z.number().positive().default(255),
    /** Then (v - mean[c]) / std[c] per channel; one entry, or one per channel. */
    mean: z.array(z.number()).min(1).default([0]),
    std: z.array(z.number().positive()).min(1).default([1]),
    /**
     * Resize so that the shorter side has this many pixels (aspect kept), then crop the centre height x width:
     * torchvision's Resize(resize) + CenterCrop((height, width)). Absent: resize straight to height x width.
     */
    resize: z.number().int().positive().optional(),
    /** Channel order the model expects (3 channels): 'rgb' (PyTorch, TF) or 'bgr' (Caffe-style exports). */
    channelOrder: z.enum(['rgb', 'bgr']).optional(),
    /** Class names in output order, if known. */
    classNames: z.array(z.string()).optional(),
  })
  .strict();

export type Preprocessing = z.infer<typeof PreprocessingSchema>;

export const PREPROCESSING_FILE = 'preprocessing.json';

/** torchvision's ImageNet evaluation transform: Resize(256), CenterCrop(224), ToTensor, Normalize(mean, std). */
export const IMAGENET_PREPROCESSING: Preprocessing = {
  height: 224,
  width: 224,
  channels: 3,
  scale: 255,
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
  resize: 256,
};

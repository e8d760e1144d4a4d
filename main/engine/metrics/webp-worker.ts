// Worker-thread entry: lossless WebP sizes (webp-size.ts) measured beside the model.
import { serveTasks } from '../threads/serve-tasks';
import { webpSize, type WebpSizeRequest } from './webp-size';

serveTasks(async (req: WebpSizeRequest) => ({ res: await webpSize(req) }));

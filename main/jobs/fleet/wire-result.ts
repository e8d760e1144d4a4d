// An item's result in and out of JSON: map blobs as base64 on the wire, bytes again before the commit.
import type { WireItemResult } from '../../../shared/fleet-protocol';
import type { ItemResult } from '../../../shared/item-result';

export function toWire(result: ItemResult): WireItemResult {
  return { ...result, maps: result.maps.map((m) => ({ ...m, blob: Buffer.from(m.blob.buffer, m.blob.byteOffset, m.blob.byteLength).toString('base64') })) };
}

export function fromWire(result: WireItemResult): ItemResult {
  return { ...result, maps: result.maps.map((m) => ({ ...m, blob: new Uint8Array(Buffer.from(m.blob, 'base64')) })) };
}

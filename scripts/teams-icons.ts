/**
 * Draws the two Teams app icons (teams/color.png, teams/outline.png) from geometry, so they can be
 * regenerated without an image editor or an image library:
 *
 *   node -r ts-node/register/transpile-only scripts/teams-icons.ts
 *
 * The PNGs are committed; run this only when the design changes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';

/** Fluent's brand blue; also the manifest's accentColor, so the tile and the icon match. */
export const ACCENT = { r: 0x0f, g: 0x6c, b: 0xbd };

type Rgba = [number, number, number, number];

/** Encodes 8-bit RGBA pixels (row-major, 4 bytes each) as a PNG. */
export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  if (rgba.length !== width * height * 4) throw new Error(`expected ${width * height * 4} bytes, got ${rgba.length}`);
  // Filter type 0 (None) on every row: the images are tiny, so smarter filters are not worth the code.
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0;
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(raw, y * (width * 4 + 1) + 1);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type: truecolour with alpha
  ihdr[10] = 0; // compression: deflate
  ihdr[11] = 0; // filter method
  ihdr[12] = 0; // no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length, 0);
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData) >>> 0, 0);
  return Buffer.concat([length, typeAndData, crc]);
}

// --- Geometry -------------------------------------------------------------------------------
// The key is drawn in its own unit space (ring on the left, bit on the right, teeth hanging
// down), then turned 45° so it reads as a key at a glance even at 32 px.

function insideKey(u: number, v: number): boolean {
  const ringX = -0.52;
  const d = Math.hypot(u - ringX, v);
  const ring = d <= 0.4 && d >= 0.17;
  const shaft = u >= ringX + 0.3 && u <= 0.92 && Math.abs(v) <= 0.095;
  const tooth1 = u >= 0.56 && u <= 0.7 && v >= 0 && v <= 0.33;
  const tooth2 = u >= 0.8 && u <= 0.92 && v >= 0 && v <= 0.26;
  return ring || shaft || tooth1 || tooth2;
}

/** Key-space bounds after the 45° turn, measured once so the key can be centred exactly. */
const KEY_BOUNDS = (() => {
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (let i = -1.2; i <= 1.2; i += 0.002) {
    for (let j = -1.2; j <= 1.2; j += 0.002) {
      if (!insideKey(i, j)) continue;
      const [x, y] = turn(i, j, +1);
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
    }
  }
  return { cx: (minX + maxX) / 2, cy: (minY + maxY) / 2, extent: Math.max(maxX - minX, maxY - minY) };
})();

function turn(x: number, y: number, direction: 1 | -1): [number, number] {
  const a = (direction * -Math.PI) / 4;
  return [x * Math.cos(a) - y * Math.sin(a), x * Math.sin(a) + y * Math.cos(a)];
}

/** Is pixel-space point (x, y) on the key, for a key whose turned bounds span `extent` pixels? */
function onKey(x: number, y: number, size: number, extent: number): boolean {
  const scale = extent / KEY_BOUNDS.extent;
  const kx = (x - size / 2) / scale + KEY_BOUNDS.cx;
  const ky = (y - size / 2) / scale + KEY_BOUNDS.cy;
  const [u, v] = turn(kx, ky, -1);
  return insideKey(u, v);
}

/** Renders with 4×4 supersampling so edges are anti-aliased. */
function render(size: number, shade: (x: number, y: number) => Rgba | null): Uint8Array {
  const samples = 4;
  const out = new Uint8Array(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const c = shade(px + (sx + 0.5) / samples, py + (sy + 0.5) / samples);
          if (!c) continue;
          // Premultiplied accumulation, so partly covered pixels keep the right colour.
          r += c[0] * c[3];
          g += c[1] * c[3];
          b += c[2] * c[3];
          a += c[3];
        }
      }
      const o = (py * size + px) * 4;
      const n = samples * samples;
      out[o + 3] = Math.round((a / n) * 255);
      if (a > 0) {
        out[o] = Math.round(r / a);
        out[o + 1] = Math.round(g / a);
        out[o + 2] = Math.round(b / a);
      }
    }
  }
  return out;
}

/**
 * Teams' colour icon rules: a full square (Teams rounds the corners itself, and a rounded or
 * transparent corner shows as a notch), and the symbol inside the central 96×96 "safe area",
 * because the bot's avatar crops to a circle.
 */
export const COLOR_SIZE = 192;
export const SAFE_AREA = 96;
/** The key's turned bounds: a few pixels inside the safe area, so anti-aliased edges stay in it too. */
const COLOR_KEY_EXTENT = 88;

/** 192×192: white key, within the 96×96 safe area, on an opaque square of the accent blue. */
export function colorIcon(): Buffer {
  const size = COLOR_SIZE;
  const pixels = render(size, (x, y) => {
    if (onKey(x, y, size, COLOR_KEY_EXTENT)) return [255, 255, 255, 1];
    return [ACCENT.r, ACCENT.g, ACCENT.b, 1];
  });
  return encodePng(size, size, pixels);
}

/** 32×32: white key on transparent, as Teams requires for the outline icon. */
export function outlineIcon(): Buffer {
  const size = 32;
  const pixels = render(size, (x, y) => (onKey(x, y, size, 29) ? [255, 255, 255, 1] : null));
  return encodePng(size, size, pixels);
}

if (require.main === module) {
  const dir = join(__dirname, '..', 'teams');
  writeFileSync(join(dir, 'color.png'), colorIcon());
  writeFileSync(join(dir, 'outline.png'), outlineIcon());
  console.log(`wrote ${join(dir, 'color.png')} and ${join(dir, 'outline.png')}`);
}

/**
 * The Teams colour icon as Microsoft's package rules read it: a full square with opaque corners
 * (no rounded, transparent corners), and the symbol inside the central 96×96 safe area.
 * The pixels are read from the committed teams/color.png, decoded here with node:zlib.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { ACCENT, COLOR_SIZE, SAFE_AREA, colorIcon } from '../../scripts/teams-icons';

interface Image {
  width: number;
  height: number;
  /** RGBA, row-major. */
  pixel(x: number, y: number): [number, number, number, number];
}

/** A PNG decoder for 8-bit RGBA or RGB, non-interlaced: what an icon editor or our script writes. */
function decodePng(bytes: Buffer): Image {
  expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (offset < bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('ascii', offset + 4, offset + 8);
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const [depth, colourType, , , interlace] = data.subarray(8, 13);
      if (depth !== 8 || interlace !== 0 || (colourType !== 6 && colourType !== 2)) throw new Error(`unsupported PNG: depth ${depth}, colour type ${colourType}`);
      channels = colourType === 6 ? 4 : 3;
    } else if (type === 'IDAT') {
      idat.push(data);
    }
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const out = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let i = 0; i < stride; i++) {
      const x = raw[y * (stride + 1) + 1 + i];
      const a = i >= channels ? out[y * stride + i - channels] : 0;
      const b = y > 0 ? out[(y - 1) * stride + i] : 0;
      const c = i >= channels && y > 0 ? out[(y - 1) * stride + i - channels] : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const predicted = [0, a, b, (a + b) >> 1, paeth][filter];
      if (predicted === undefined) throw new Error(`unknown PNG filter ${filter}`);
      out[y * stride + i] = (x + predicted) & 0xff;
    }
  }
  return {
    width,
    height,
    pixel(x, y) {
      const o = y * stride + x * channels;
      return [out[o], out[o + 1], out[o + 2], channels === 4 ? out[o + 3] : 255];
    },
  };
}

const COLOR_FILE = path.resolve(__dirname, '..', '..', 'teams', 'color.png');

describe('Teams colour icon (teams/color.png)', () => {
  const icon = decodePng(readFileSync(COLOR_FILE));
  const isBackground = ([r, g, b]: number[]) => r === ACCENT.r && g === ACCENT.g && b === ACCENT.b;

  test('is 192×192 and the file is what scripts/teams-icons.ts draws now', () => {
    expect([icon.width, icon.height]).toEqual([COLOR_SIZE, COLOR_SIZE]);
    expect(readFileSync(COLOR_FILE).equals(colorIcon())).toBe(true);
  });

  test('is a full square: the corners are opaque background, and no pixel is transparent', () => {
    const last = COLOR_SIZE - 1;
    for (const [x, y] of [[0, 0], [last, 0], [0, last], [last, last], [2, 2], [last - 2, 2]]) {
      expect(icon.pixel(x, y)).toEqual([ACCENT.r, ACCENT.g, ACCENT.b, 255]);
    }
    let transparent = 0;
    for (let y = 0; y < icon.height; y++) for (let x = 0; x < icon.width; x++) if (icon.pixel(x, y)[3] !== 255) transparent++;
    expect(transparent).toBe(0);
  });

  test('the symbol lies within the central 96×96 safe area, and fills most of it', () => {
    const lo = (COLOR_SIZE - SAFE_AREA) / 2;
    const hi = lo + SAFE_AREA;
    let minX = Infinity;
    let maxX = -Infinity;
    let minY = Infinity;
    let maxY = -Infinity;
    for (let y = 0; y < icon.height; y++) {
      for (let x = 0; x < icon.width; x++) {
        if (isBackground(icon.pixel(x, y))) continue;
        minX = Math.min(minX, x);
        maxX = Math.max(maxX, x);
        minY = Math.min(minY, y);
        maxY = Math.max(maxY, y);
      }
    }
    expect(minX).toBeGreaterThanOrEqual(lo);
    expect(minY).toBeGreaterThanOrEqual(lo);
    expect(maxX).toBeLessThan(hi);
    expect(maxY).toBeLessThan(hi);
    // Not shrunk to a speck: the key spans at least three quarters of the safe area.
    expect(Math.max(maxX - minX, maxY - minY)).toBeGreaterThanOrEqual(SAFE_AREA * 0.75);
  });
});

// Draws the app icon (two linked nodes on the Dynamics blue) into assets/icon.png and assets/icon.ico.
// Pure Node (zlib) so it runs anywhere; re-run after changing the drawing.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';

const S = 256;
const px = Buffer.alloc(S * S * 4);
const blue = [0x0f, 0x6c, 0xbd];
const white = [255, 255, 255];
const set = (x, y, [r, g, b], a = 255) => {
  const i = (y * S + x) * 4;
  px[i] = r; px[i + 1] = g; px[i + 2] = b; px[i + 3] = a;
};
const inRounded = (x, y, r = 48) => {
  const cx = Math.min(Math.max(x, r), S - 1 - r);
  const cy = Math.min(Math.max(y, r), S - 1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
};
const dist = (x, y, ax, ay) => Math.hypot(x - ax, y - ay);
function segDist(x, y, ax, ay, bx, by) {
  const t = Math.max(0, Math.min(1, ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)));
  return dist(x, y, ax + t * (bx - ax), ay + t * (by - ay));
}
for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) {
  if (!inRounded(x, y)) { set(x, y, [0, 0, 0], 0); continue; }
  let c = blue;
  const ring = (cx, cy) => Math.abs(dist(x, y, cx, cy) - 38) < 11;
  if (ring(84, 128) || ring(172, 128) || (segDist(x, y, 122, 128, 134, 128) < 9)) c = white;
  set(x, y, c);
}
const crc = (buf) => {
  let c, crcv = 0xffffffff;
  for (const b of buf) { c = (crcv ^ b) & 0xff; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; crcv = (crcv >>> 8) ^ c; }
  return (crcv ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const c = Buffer.alloc(4); c.writeUInt32BE(crc(td));
  return Buffer.concat([len, td, c]);
};
const raw = Buffer.alloc((S * 4 + 1) * S);
for (let y = 0; y < S; y++) { raw[y * (S * 4 + 1)] = 0; px.copy(raw, y * (S * 4 + 1) + 1, y * S * 4, (y + 1) * S * 4); }
const ihdr = Buffer.alloc(13); ihdr.writeUInt32BE(S, 0); ihdr.writeUInt32BE(S, 4); ihdr[8] = 8; ihdr[9] = 6;
const png = Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
const dir = path.dirname(new URL(import.meta.url).pathname);
writeFileSync(path.join(dir, 'icon.png'), png);
// ICO with one embedded PNG image (supported since Windows Vista).
const header = Buffer.alloc(6); header.writeUInt16LE(0, 0); header.writeUInt16LE(1, 2); header.writeUInt16LE(1, 4);
const entry = Buffer.alloc(16); entry[0] = 0; entry[1] = 0; entry.writeUInt16LE(1, 4); entry.writeUInt16LE(32, 6); entry.writeUInt32LE(png.length, 8); entry.writeUInt32LE(22, 12);
writeFileSync(path.join(dir, 'icon.ico'), Buffer.concat([header, entry, png]));
console.log('wrote icon.png and icon.ico');

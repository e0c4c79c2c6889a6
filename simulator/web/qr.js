// Reads the QR code in a bot's photo, as a phone camera would: for the clean, upright images
// a bot renders (any version, any error level), not for photos of paper. No error correction:
// a rendered image has no errors, and anything that does not read cleanly gives null.
"use strict";

// Per version (1-40), per error level in format-bit order (M, L, H, Q): the block groups as
// [blocks, codewords per block, data codewords per block] (ISO/IEC 18004, table 9).
const QR_BLOCKS = [
  [[[1,26,16]],[[1,26,19]],[[1,26,9]],[[1,26,13]]],
  [[[1,44,28]],[[1,44,34]],[[1,44,16]],[[1,44,22]]],
  [[[1,70,44]],[[1,70,55]],[[2,35,13]],[[2,35,17]]],
  [[[2,50,32]],[[1,100,80]],[[4,25,9]],[[2,50,24]]],
  [[[2,67,43]],[[1,134,108]],[[2,33,11],[2,34,12]],[[2,33,15],[2,34,16]]],
  [[[4,43,27]],[[2,86,68]],[[4,43,15]],[[4,43,19]]],
  [[[4,49,31]],[[2,98,78]],[[4,39,13],[1,40,14]],[[2,32,14],[4,33,15]]],
  [[[2,60,38],[2,61,39]],[[2,121,97]],[[4,40,14],[2,41,15]],[[4,40,18],[2,41,19]]],
  [[[3,58,36],[2,59,37]],[[2,146,116]],[[4,36,12],[4,37,13]],[[4,36,16],[4,37,17]]],
  [[[4,69,43],[1,70,44]],[[2,86,68],[2,87,69]],[[6,43,15],[2,44,16]],[[6,43,19],[2,44,20]]],
  [[[1,80,50],[4,81,51]],[[4,101,81]],[[3,36,12],[8,37,13]],[[4,50,22],[4,51,23]]],
  [[[6,58,36],[2,59,37]],[[2,116,92],[2,117,93]],[[7,42,14],[4,43,15]],[[4,46,20],[6,47,21]]],
  [[[8,59,37],[1,60,38]],[[4,133,107]],[[12,33,11],[4,34,12]],[[8,44,20],[4,45,21]]],
  [[[4,64,40],[5,65,41]],[[3,145,115],[1,146,116]],[[11,36,12],[5,37,13]],[[11,36,16],[5,37,17]]],
  [[[5,65,41],[5,66,42]],[[5,109,87],[1,110,88]],[[11,36,12],[7,37,13]],[[5,54,24],[7,55,25]]],
  [[[7,73,45],[3,74,46]],[[5,122,98],[1,123,99]],[[3,45,15],[13,46,16]],[[15,43,19],[2,44,20]]],
  [[[10,74,46],[1,75,47]],[[1,135,107],[5,136,108]],[[2,42,14],[17,43,15]],[[1,50,22],[15,51,23]]],
  [[[9,69,43],[4,70,44]],[[5,150,120],[1,151,121]],[[2,42,14],[19,43,15]],[[17,50,22],[1,51,23]]],
  [[[3,70,44],[11,71,45]],[[3,141,113],[4,142,114]],[[9,39,13],[16,40,14]],[[17,47,21],[4,48,22]]],
  [[[3,67,41],[13,68,42]],[[3,135,107],[5,136,108]],[[15,43,15],[10,44,16]],[[15,54,24],[5,55,25]]],
  [[[17,68,42]],[[4,144,116],[4,145,117]],[[19,46,16],[6,47,17]],[[17,50,22],[6,51,23]]],
  [[[17,74,46]],[[2,139,111],[7,140,112]],[[34,37,13]],[[7,54,24],[16,55,25]]],
  [[[4,75,47],[14,76,48]],[[4,151,121],[5,152,122]],[[16,45,15],[14,46,16]],[[11,54,24],[14,55,25]]],
  [[[6,73,45],[14,74,46]],[[6,147,117],[4,148,118]],[[30,46,16],[2,47,17]],[[11,54,24],[16,55,25]]],
  [[[8,75,47],[13,76,48]],[[8,132,106],[4,133,107]],[[22,45,15],[13,46,16]],[[7,54,24],[22,55,25]]],
  [[[19,74,46],[4,75,47]],[[10,142,114],[2,143,115]],[[33,46,16],[4,47,17]],[[28,50,22],[6,51,23]]],
  [[[22,73,45],[3,74,46]],[[8,152,122],[4,153,123]],[[12,45,15],[28,46,16]],[[8,53,23],[26,54,24]]],
  [[[3,73,45],[23,74,46]],[[3,147,117],[10,148,118]],[[11,45,15],[31,46,16]],[[4,54,24],[31,55,25]]],
  [[[21,73,45],[7,74,46]],[[7,146,116],[7,147,117]],[[19,45,15],[26,46,16]],[[1,53,23],[37,54,24]]],
  [[[19,75,47],[10,76,48]],[[5,145,115],[10,146,116]],[[23,45,15],[25,46,16]],[[15,54,24],[25,55,25]]],
  [[[2,74,46],[29,75,47]],[[13,145,115],[3,146,116]],[[23,45,15],[28,46,16]],[[42,54,24],[1,55,25]]],
  [[[10,74,46],[23,75,47]],[[17,145,115]],[[19,45,15],[35,46,16]],[[10,54,24],[35,55,25]]],
  [[[14,74,46],[21,75,47]],[[17,145,115],[1,146,116]],[[11,45,15],[46,46,16]],[[29,54,24],[19,55,25]]],
  [[[14,74,46],[23,75,47]],[[13,145,115],[6,146,116]],[[59,46,16],[1,47,17]],[[44,54,24],[7,55,25]]],
  [[[12,75,47],[26,76,48]],[[12,151,121],[7,152,122]],[[22,45,15],[41,46,16]],[[39,54,24],[14,55,25]]],
  [[[6,75,47],[34,76,48]],[[6,151,121],[14,152,122]],[[2,45,15],[64,46,16]],[[46,54,24],[10,55,25]]],
  [[[29,74,46],[14,75,47]],[[17,152,122],[4,153,123]],[[24,45,15],[46,46,16]],[[49,54,24],[10,55,25]]],
  [[[13,74,46],[32,75,47]],[[4,152,122],[18,153,123]],[[42,45,15],[32,46,16]],[[48,54,24],[14,55,25]]],
  [[[40,75,47],[7,76,48]],[[20,147,117],[4,148,118]],[[10,45,15],[67,46,16]],[[43,54,24],[22,55,25]]],
  [[[18,75,47],[31,76,48]],[[19,148,118],[6,149,119]],[[20,45,15],[61,46,16]],[[34,54,24],[34,55,25]]],
];
const QR_MASKS = [
  (r, c) => (r + c) % 2 === 0,
  (r) => r % 2 === 0,
  (r, c) => c % 3 === 0,
  (r, c) => (r + c) % 3 === 0,
  (r, c) => (Math.floor(r / 2) + Math.floor(c / 3)) % 2 === 0,
  (r, c) => ((r * c) % 2) + ((r * c) % 3) === 0,
  (r, c) => (((r * c) % 2) + ((r * c) % 3)) % 2 === 0,
  (r, c) => (((r + c) % 2) + ((r * c) % 3)) % 2 === 0,
];
const QR_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

// The dark/light grid of the symbol in an image, sampled at each module's centre, or null.
function qrModules(image) {
  const w = image.naturalWidth, h = image.naturalHeight;
  if (!w || !h) return null;
  const canvas = document.createElement("canvas");
  canvas.width = w; canvas.height = h;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  ctx.drawImage(image, 0, 0);
  const px = ctx.getImageData(0, 0, w, h).data;
  const dark = (x, y) => {
    const i = (y * w + x) * 4;
    return px[i + 3] > 127 && px[i] + px[i + 1] + px[i + 2] < 384;
  };
  let top = -1, left = w, right = -1, bottom = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!dark(x, y)) continue;
      if (top < 0) top = y;
      bottom = y; left = Math.min(left, x); right = Math.max(right, x);
    }
  }
  if (top < 0) return null;
  let run = 0;  // the top edge of the top-left finder pattern is 7 modules wide
  while (left + run <= right && dark(left + run, top)) run++;
  const span = right - left + 1;
  const size = Math.round(span / (run / 7));
  if ((size - 17) % 4 !== 0 || size < 21 || size > 177) return null;
  if (Math.abs(bottom - top + 1 - span) > span / size) return null;  // not square
  const unit = span / size;
  const grid = [];
  for (let r = 0; r < size; r++) {
    const row = [];
    for (let c = 0; c < size; c++) {
      row.push(dark(Math.floor(left + (c + 0.5) * unit), Math.floor(top + (r + 0.5) * unit)));
    }
    grid.push(row);
  }
  return grid;
}

function qrAlignment(version, size) {
  if (version === 1) return [];
  const count = Math.floor(version / 7) + 2;
  const step = Math.floor((version * 8 + count * 3 + 5) / (count * 4 - 4)) * 2;
  const out = [6];
  for (let pos = size - 7; out.length < count; pos -= step) out.splice(1, 0, pos);
  return out;
}

// Which modules are finder, timing, alignment, format or version patterns (not data).
function qrFunctionModules(version, size) {
  const fn = Array.from({ length: size }, () => new Array(size).fill(false));
  const box = (r0, c0, r1, c1) => {
    for (let r = Math.max(0, r0); r <= Math.min(size - 1, r1); r++) {
      for (let c = Math.max(0, c0); c <= Math.min(size - 1, c1); c++) fn[r][c] = true;
    }
  };
  box(0, 0, 8, 8); box(0, size - 8, 8, size - 1); box(size - 8, 0, size - 1, 8);
  box(6, 0, 6, size - 1); box(0, 6, size - 1, 6);
  const centres = qrAlignment(version, size), last = centres.length - 1;
  centres.forEach((r, i) => centres.forEach((c, j) => {
    const corner = (i === 0 && j === 0) || (i === 0 && j === last) || (i === last && j === 0);
    if (!corner) box(r - 2, c - 2, r + 2, c + 2);
  }));
  if (version >= 7) { box(0, size - 11, 5, size - 9); box(size - 11, 0, size - 9, 5); }
  return fn;
}

// The 15 format bits (unmasked) if their BCH check holds, else -1.
function qrFormatBits(bits) {
  const data = bits >> 10;
  let rem = data;
  for (let i = 0; i < 10; i++) rem = (rem << 1) ^ ((rem >> 9) * 0x537);
  return ((data << 10) | (rem & 0x3ff)) === bits ? bits : -1;
}

function qrFormat(grid) {
  const size = grid.length;
  const read = (cells) => cells.reduce((v, [r, c], i) => v | ((grid[r][c] ? 1 : 0) << i), 0);
  const first = [], second = [];
  for (let i = 0; i <= 5; i++) first.push([i, 8]);
  first.push([7, 8], [8, 8], [8, 7]);
  for (let i = 9; i < 15; i++) first.push([8, 14 - i]);
  for (let i = 0; i < 8; i++) second.push([8, size - 1 - i]);
  for (let i = 8; i < 15; i++) second.push([size - 15 + i, 8]);
  for (const cells of [first, second]) {
    const format = qrFormatBits(read(cells) ^ 0x5412);
    if (format >= 0) return { level: format >> 13, mask: (format >> 10) & 7 };
  }
  return null;
}

// The codewords in reading order: two columns at a time from the right, zigzagging.
function qrCodewords(grid, fn, mask) {
  const size = grid.length, bytes = [];
  let byte = 0, count = 0;
  for (let right = size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;
    const upward = ((right + 1) & 2) === 0;
    for (let vert = 0; vert < size; vert++) {
      const r = upward ? size - 1 - vert : vert;
      for (const c of [right, right - 1]) {
        if (fn[r][c]) continue;
        byte = (byte << 1) | (grid[r][c] !== QR_MASKS[mask](r, c) ? 1 : 0);
        if (++count % 8 === 0) { bytes.push(byte); byte = 0; }
      }
    }
  }
  return bytes;
}

// The data codewords, blocks de-interleaved and joined in order.
function qrData(codewords, groups) {
  const blocks = [];
  for (const [n, , data] of groups) for (let i = 0; i < n; i++) blocks.push({ size: data, out: [] });
  let k = 0;
  const longest = Math.max(...blocks.map((b) => b.size));
  for (let i = 0; i < longest; i++) {
    for (const b of blocks) if (i < b.size) b.out.push(codewords[k++]);
  }
  return blocks.flatMap((b) => b.out);
}

function qrSegments(data, version) {
  let pos = 0;
  const bits = (n) => {
    let v = 0;
    for (let i = 0; i < n; i++, pos++) {
      v = (v << 1) | ((data[pos >> 3] >> (7 - (pos & 7))) & 1);
    }
    return v;
  };
  const range = version < 10 ? 0 : version < 27 ? 1 : 2;
  const bytes = [];
  let text = "";
  const flush = () => {
    if (!bytes.length) return;
    const raw = new Uint8Array(bytes);
    try { text += new TextDecoder("utf-8", { fatal: true }).decode(raw); }
    catch { text += new TextDecoder("latin1").decode(raw); }
    bytes.length = 0;
  };
  while (pos + 4 <= data.length * 8) {
    const mode = bits(4);
    if (mode === 0) break;
    if (mode === 7) { bits(8); continue; }  // ECI: UTF-8 is assumed
    if (mode === 4) {
      for (let n = bits([8, 16, 16][range]); n > 0; n--) bytes.push(bits(8));
      continue;
    }
    flush();
    if (mode === 1) {
      let n = bits([10, 12, 14][range]);
      for (; n >= 3; n -= 3) text += String(bits(10)).padStart(3, "0");
      if (n) text += String(bits(n === 2 ? 7 : 4)).padStart(n, "0");
    } else if (mode === 2) {
      let n = bits([9, 11, 13][range]);
      for (; n >= 2; n -= 2) {
        const v = bits(11);
        text += QR_ALNUM[Math.floor(v / 45)] + QR_ALNUM[v % 45];
      }
      if (n) text += QR_ALNUM[bits(6)];
    } else {
      return null;  // kanji, hanzi, structured append: never in a bot's link
    }
  }
  flush();
  return text;
}

// The text in the QR code shown by an <img> (loaded), or null if it holds none we can read.
function readQr(image) {
  const grid = qrModules(image);
  if (!grid) return null;
  const size = grid.length, version = (size - 17) / 4;
  const format = qrFormat(grid);
  if (!format) return null;
  const codewords = qrCodewords(grid, qrFunctionModules(version, size), format.mask);
  const text = qrSegments(qrData(codewords, QR_BLOCKS[version - 1][format.level]), version);
  return text || null;
}

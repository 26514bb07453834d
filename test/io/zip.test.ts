import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ZIP_ALIGNMENT, ZipReader, blobReader, bytesReader, crc32, writeZip, type RandomAccess } from '../../src/io/zip';
import { rejectionMessage } from '../helpers/user-message';
import { runPython } from '../helpers/python';

const concat = (chunks: Uint8Array[]) => Uint8Array.from(Buffer.concat(chunks));
const FILES = [
  { name: 'step_5/data.pkl', data: new TextEncoder().encode('pickle bytes') },
  { name: 'step_5/data/0', data: Uint8Array.from({ length: 1000 }, (_, i) => i % 251) },
  { name: 'step_5/version', data: new TextEncoder().encode('3\n') },
];
const ZIP = concat(writeZip(FILES));
const open = (bytes: Uint8Array) => ZipReader.open(bytesReader(bytes), 'step_5');

describe('zip archives as torch.save writes them', () => {
  it('reads back every entry, aligned to 64 bytes, with its CRC-32', async () => {
    const zip = await open(ZIP);
    expect([...zip.entries.keys()]).toEqual(FILES.map((f) => f.name));
    for (const f of FILES) {
      const e = zip.entries.get(f.name)!;
      expect(e.dataStart % ZIP_ALIGNMENT).toBe(0);
      expect(e.crc32).toBe(crc32(f.data));
      expect(await zip.read(f.name)).toEqual(f.data);
    }
    expect(await zip.readRange('step_5/data/0', 500, 4)).toEqual(Uint8Array.of(500 % 251, 501 % 251, 502 % 251, 503 % 251));
  });

  it('reads only the end records, the directory and the asked bytes of a large file', async () => {
    const reads: [number, number][] = [];
    const r: RandomAccess = { size: ZIP.length, read: async (o, l) => (reads.push([o, l]), ZIP.subarray(o, o + l)) };
    const zip = await ZipReader.open(r, 'step_5');
    reads.length = 0;
    await zip.readRange('step_5/data/0', 100, 8);
    expect(reads).toEqual([[zip.entries.get('step_5/data/0')!.dataStart + 100, 8]]);
  });

  it('reads a Blob (a File in the page) by slices', async () => {
    const zip = await ZipReader.open(blobReader(new Blob([ZIP])), 'step_5');
    expect(await zip.read('step_5/data/0')).toEqual(FILES[1].data);
  });

  it("is a valid zip to Python's zipfile (CRCs checked)", () => {
    const dir = mkdtempSync(join(tmpdir(), 'trm-zip-'));
    writeFileSync(join(dir, 'a.zip'), ZIP);
    const out = runPython(['-c', 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(z.testzip(), z.namelist(), z.read("step_5/version"))', join(dir, 'a.zip')]);
    expect(out.trim()).toBe("None ['step_5/data.pkl', 'step_5/data/0', 'step_5/version'] b'3\\n'");
  });

  it('refuses a truncated archive, naming the file', async () => {
    expect(await rejectionMessage(open(ZIP.subarray(0, ZIP.length - 30)))).toMatch(/^step_5: not a valid zip archive: no end-of-central-directory record \(a truncated file, or not a zip\)/);
    expect(await rejectionMessage(open(ZIP.subarray(0, 10)))).toMatch(/only 10 bytes/);
    // The tail kept but data cut out of the middle: the directory then lies past the end.
    const cut = concat([ZIP.subarray(0, 200), ZIP.subarray(ZIP.length - 300)]);
    expect(await rejectionMessage(open(cut))).toMatch(/the central directory at byte \d+ runs past the end of the file \(500 bytes\); is it truncated\?/);
  });

  it('refuses a bad central directory', async () => {
    const z = ZIP.slice();
    const dv = new DataView(z.buffer);
    const dirStart = dv.getUint32(z.length - 6, true);
    dv.setUint32(dirStart, 0x12345678, true);
    expect(await rejectionMessage(open(z))).toMatch(/central directory entry 0 is damaged/);

    const far = ZIP.slice();
    new DataView(far.buffer).setUint32(far.length - 6, 0x7fffffff, true);
    expect(await rejectionMessage(open(far))).toMatch(/the central directory at byte 2147483647 runs past the end of the file/);

    const many = ZIP.slice();
    new DataView(many.buffer).setUint16(many.length - 12, 900, true);
    expect(await rejectionMessage(open(many))).toMatch(/central directory entry 3 is damaged/);
  });

  it('refuses compressed entries and catches damaged data by its CRC-32', async () => {
    const deflated = ZIP.slice();
    const dv = new DataView(deflated.buffer);
    const dirStart = dv.getUint32(deflated.length - 6, true);
    dv.setUint16(dirStart + 10, 8, true);
    expect(await rejectionMessage(open(deflated))).toMatch(/entry "step_5\/data.pkl" is compressed \(method 8\)/);

    const flipped = ZIP.slice();
    const zip = await open(flipped);
    flipped[zip.entries.get('step_5/data/0')!.dataStart + 10] ^= 1;
    expect(await rejectionMessage(zip.read('step_5/data/0'))).toMatch(/entry "step_5\/data\/0" is damaged \(CRC-32 mismatch\)/);
    expect(await rejectionMessage(zip.readRange('step_5/data/0', 990, 20))).toMatch(/bytes 990\.\.1010 lie outside entry/);
    expect(await rejectionMessage(zip.read('step_5/other'))).toMatch(/the archive has no entry "step_5\/other"/);
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every file and folder under `dir` with its bytes (base64; 'folder' for a folder), to show nothing was written or lost. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const path = join(e.parentPath, e.name);
    out[path] = e.isFile() ? readFileSync(path, 'base64') : 'folder';
  }
  return out;
}

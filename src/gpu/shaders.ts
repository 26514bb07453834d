/** Every shaders/*.wgsl source, bundled by Vite (browser, worker, tests and the built CLI alike). */
const files = import.meta.glob('../../shaders/*.wgsl', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

const sources = new Map<string, string>();
for (const [path, code] of Object.entries(files)) {
  sources.set(path.replace(/^.*\//, '').replace(/\.wgsl$/, ''), code);
}

function source(name: string): string {
  const code = sources.get(name);
  if (code === undefined) throw new Error(`no shader named "${name}" in shaders/ (have: ${[...sources.keys()].join(', ')})`);
  return code;
}

/** The WGSL of shaders/<name>.wgsl, with each `//! include other` line replaced by shaders/other.wgsl. */
export function shaderSource(name: string): string {
  return source(name).replace(/^\/\/! include (\w+)$/gm, (_, other: string) => source(other));
}

export function shaderNames(): string[] {
  return [...sources.keys()].sort();
}

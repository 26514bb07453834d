/** Every shaders/*.wgsl source, bundled by Vite (browser, worker, tests and the built CLI alike). */
const files = import.meta.glob('../../shaders/*.wgsl', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

const sources = new Map<string, string>();
for (const [path, code] of Object.entries(files)) {
  sources.set(path.replace(/^.*\//, '').replace(/\.wgsl$/, ''), code);
}

export function shaderSource(name: string): string {
  const code = sources.get(name);
  if (code === undefined) throw new Error(`no shader named "${name}" in shaders/ (have: ${[...sources.keys()].join(', ')})`);
  return code;
}

export function shaderNames(): string[] {
  return [...sources.keys()].sort();
}

/** What the engine asks of an adapter: explicit limits (up to what it offers) and optional features. */
export interface GpuInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  features: string[];
  isSoftware: boolean;
  subgroupMinSize?: number;
  subgroupMaxSize?: number;
}

export interface GpuHandle {
  device: GPUDevice;
  adapter: GPUAdapter;
  info: GpuInfo;
  hasF16: boolean;
  hasSubgroups: boolean;
  hasTimestamps: boolean;
}

export class WebGpuUnavailableError extends Error {
  constructor(reason: string, userAgent = '') {
    super(`${reason}\n${webgpuHelp(userAgent)}`);
    this.name = 'WebGpuUnavailableError';
  }
}

export function browserName(userAgent: string): string {
  if (/Edg\//.test(userAgent)) return 'Microsoft Edge';
  if (/Firefox\//.test(userAgent)) return 'Firefox';
  if (/Chrome\/|Chromium\//.test(userAgent)) return /Chromium\//.test(userAgent) ? 'Chromium' : 'Chrome';
  if (/Safari\//.test(userAgent)) return 'Safari';
  if (/Node\.js|node/i.test(userAgent)) return 'Node.js';
  return 'this browser';
}

/** A message naming the browser and what to switch on. */
export function webgpuHelp(userAgent: string): string {
  const b = browserName(userAgent);
  switch (b) {
    case 'Chrome':
    case 'Chromium':
    case 'Microsoft Edge':
      return `${b}: WebGPU needs version 113 or newer. On Linux start it with --enable-unsafe-webgpu (add --enable-features=Vulkan for a real GPU, or --use-webgpu-adapter=swiftshader for the software adapter), or enable chrome://flags/#enable-unsafe-webgpu.`;
    case 'Firefox':
      return 'Firefox: WebGPU is on by default from version 141 on Windows; elsewhere set dom.webgpu.enabled = true in about:config (Nightly).';
    case 'Safari':
      return 'Safari: WebGPU is on from Safari 26; on older versions enable Develop → Feature Flags → WebGPU.';
    case 'Node.js':
      return 'Node.js: install the "webgpu" package; without a GPU set VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json (Debian package chromium) and install libvulkan1.';
    default:
      return `${b}: use a recent Chrome, Edge or Safari 26+, or Chromium started with --enable-unsafe-webgpu.`;
  }
}

const WANTED_LIMITS = [
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
] as const;

export interface RequestOptions {
  /** Ask for no optional feature (tests of the plain f32 / no-subgroup paths). */
  plain?: boolean;
  powerPreference?: GPUPowerPreference;
}

/** Adapter and device with explicitly requested limits and the optional features the engine uses. */
export async function requestGpu(gpu: GPU | undefined, userAgent: string, opts: RequestOptions = {}): Promise<GpuHandle> {
  if (!gpu) throw new WebGpuUnavailableError('WebGPU is not available (navigator.gpu is missing).', userAgent);
  const adapter = await gpu.requestAdapter({ powerPreference: opts.powerPreference ?? 'high-performance' });
  if (!adapter) throw new WebGpuUnavailableError('WebGPU is present but no GPU adapter was found.', userAgent);
  const optional: GPUFeatureName[] = opts.plain ? [] : (['shader-f16', 'subgroups', 'timestamp-query'] as GPUFeatureName[]).filter((f) => adapter.features.has(f));
  const requiredLimits: Record<string, number> = {};
  for (const k of WANTED_LIMITS) requiredLimits[k] = adapter.limits[k];
  const device = await adapter.requestDevice({ requiredFeatures: optional, requiredLimits });
  const ai = adapter.info;
  const info: GpuInfo = {
    vendor: ai?.vendor ?? '',
    architecture: ai?.architecture ?? '',
    device: ai?.device ?? '',
    description: ai?.description ?? '',
    features: [...device.features].sort(),
    isSoftware: /swiftshader|llvmpipe|lavapipe|software/i.test(`${ai?.architecture} ${ai?.description} ${ai?.vendor}`),
    subgroupMinSize: (ai as { subgroupMinSize?: number } | undefined)?.subgroupMinSize,
    subgroupMaxSize: (ai as { subgroupMaxSize?: number } | undefined)?.subgroupMaxSize,
  };
  return {
    device,
    adapter,
    info,
    hasF16: device.features.has('shader-f16'),
    hasSubgroups: device.features.has('subgroups'),
    hasTimestamps: device.features.has('timestamp-query'),
  };
}

/** vendor / architecture / device / description, whichever the adapter reports. */
export function adapterName(info: GpuInfo): string {
  return [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' / ') || 'unknown adapter';
}

export function describeAdapter(info: GpuInfo): string {
  return `${adapterName(info)}${info.isSoftware ? ' (software)' : ''}; features: ${info.features.join(', ') || 'none'}`;
}

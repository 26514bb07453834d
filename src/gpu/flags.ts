// WebGPU flag values from the spec, usable before (or without) the GPU* globals exist, e.g. in Node
// before Dawn is loaded.
export const Usage = {
  MAP_READ: 0x0001,
  COPY_SRC: 0x0004,
  COPY_DST: 0x0008,
  UNIFORM: 0x0040,
  STORAGE: 0x0080,
  QUERY_RESOLVE: 0x0200,
} as const;

export const MAP_READ_MODE = 0x0001;

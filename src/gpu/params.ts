/** A uniform value: plain numbers are u32; wrap floats and signed ints. */
export type Param = number | { readonly f32: number } | { readonly i32: number };

export const f32 = (v: number): Param => ({ f32: v });
export const i32 = (v: number): Param => ({ i32: v });

/** Pack params as consecutive 4-byte scalars (WGSL structs of u32/i32/f32 fields, in order). */
export function packParams(params: readonly Param[], view: DataView, byteOffset: number): void {
  params.forEach((p, i) => {
    const o = byteOffset + 4 * i;
    if (typeof p === 'number') {
      if (!Number.isInteger(p) || p < 0 || p > 0xffffffff) throw new Error(`u32 param ${i} out of range: ${p}`);
      view.setUint32(o, p, true);
    } else if ('f32' in p) view.setFloat32(o, p.f32, true);
    else view.setInt32(o, p.i32, true);
  });
}

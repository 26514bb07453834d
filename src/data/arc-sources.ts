/**
 * Public ARC-style datasets and a loader for them. The product fetches the same files that TRM and the upstream
 * repositories publish (raw GitHub URLs, see ../shared/datasets/README.md): ARC-AGI-1/2 and ConceptARC as the Kaggle
 * "combined" challenges + solutions files TRM builds its ARC datasets from (two requests per split instead of
 * hundreds), Mini-ARC as its per-task files. `fetch` and the cache are injected: the browser backs the cache with
 * IndexedDB / Cache Storage, tests serve the local copies through a fake fetch.
 */
import type { ArcTask } from './grid';
import { type NamedText, parseKaggleCombined, parseTaskFile, taskIdFromFileName } from './arc-json';

const RAW = 'https://raw.githubusercontent.com';
export const ARC_AGI_1_DATA_URL = `${RAW}/fchollet/ARC-AGI/master/data`;
export const ARC_AGI_2_DATA_URL = `${RAW}/arcprize/ARC-AGI-2/main/data`;
export const TRM_COMBINED_URL = `${RAW}/SamsungSAILMontreal/TinyRecursiveModels/main/kaggle/combined`;
export const MINI_ARC_DATA_URL = `${RAW}/KSB21ST/MINI-ARC/master/data/MiniARC`;

export type CombinedSplit = 'training' | 'evaluation' | 'training2' | 'evaluation2' | 'concept';

export function combinedUrls(split: CombinedSplit): { challenges: string; solutions: string } {
  return {
    challenges: `${TRM_COMBINED_URL}/arc-agi_${split}_challenges.json`,
    solutions: `${TRM_COMBINED_URL}/arc-agi_${split}_solutions.json`,
  };
}

/** One ARC-AGI task file in its upstream repository (for loading a single task by id). */
export function arcAgiTaskUrl(version: 1 | 2, split: 'training' | 'evaluation', id: string): string {
  return `${version === 1 ? ARC_AGI_1_DATA_URL : ARC_AGI_2_DATA_URL}/${split}/${encodeURIComponent(id)}.json`;
}

export function miniArcTaskUrl(name: string): string {
  return `${MINI_ARC_DATA_URL}/${encodeURIComponent(name)}.json`;
}

export type ArcSourceId = 'arc-agi-1-training' | 'arc-agi-1-evaluation' | 'arc-agi-2-training' | 'arc-agi-2-evaluation' | 'mini-arc' | 'concept-arc';

export type ArcSourceFiles =
  | { kind: 'combined'; challenges: string; solutions: string }
  | { kind: 'per-task'; names: readonly string[]; url: (name: string) => string };

export interface ArcSource {
  id: ArcSourceId;
  title: string;
  /** The upstream repository the tasks come from. */
  upstream: string;
  license: string;
  /** Canvas side that fits every grid with its EOS bars (30 for ARC-AGI; 6 for Mini-ARC's 5×5). */
  canvasSide: number;
  files: ArcSourceFiles;
}

const combined = (split: CombinedSplit): ArcSourceFiles => ({ kind: 'combined', ...combinedUrls(split) });

export const ARC_SOURCES: Readonly<Record<ArcSourceId, ArcSource>> = {
  'arc-agi-1-training': {
    id: 'arc-agi-1-training', title: 'ARC-AGI-1 training (400)', upstream: 'https://github.com/fchollet/ARC-AGI',
    license: 'Apache-2.0', canvasSide: 30, files: combined('training'),
  },
  'arc-agi-1-evaluation': {
    id: 'arc-agi-1-evaluation', title: 'ARC-AGI-1 evaluation (400)', upstream: 'https://github.com/fchollet/ARC-AGI',
    license: 'Apache-2.0', canvasSide: 30, files: combined('evaluation'),
  },
  'arc-agi-2-training': {
    id: 'arc-agi-2-training', title: 'ARC-AGI-2 training (1000)', upstream: 'https://github.com/arcprize/ARC-AGI-2',
    license: 'Apache-2.0', canvasSide: 30, files: combined('training2'),
  },
  'arc-agi-2-evaluation': {
    id: 'arc-agi-2-evaluation', title: 'ARC-AGI-2 evaluation (120)', upstream: 'https://github.com/arcprize/ARC-AGI-2',
    license: 'Apache-2.0', canvasSide: 30, files: combined('evaluation2'),
  },
  'mini-arc': {
    id: 'mini-arc', title: 'Mini-ARC (149, 5×5)', upstream: 'https://github.com/KSB21ST/MINI-ARC',
    license: 'Apache-2.0', canvasSide: 6, files: { kind: 'per-task', names: miniArcNames(), url: miniArcTaskUrl },
  },
  'concept-arc': {
    id: 'concept-arc', title: 'ConceptARC (160)', upstream: 'https://github.com/victorvikram/ConceptARC',
    license: 'MIT', canvasSide: 30, files: combined('concept'),
  },
};

/** Minimal fetch: the global `fetch` fits, and so does a test's fake. */
export type FetchLike = (url: string) => Promise<{ ok: boolean; status: number; statusText: string; text(): Promise<string> }>;

/** Text cache keyed by URL (IndexedDB / Cache Storage in the browser, a Map in tests); sync or async. */
export interface TextCache {
  get(key: string): Promise<string | undefined> | string | undefined;
  put(key: string, value: string): Promise<void> | void;
}

export interface LoadProgress {
  source: string;
  url: string;
  /** Files finished so far, of `total`. */
  done: number;
  total: number;
  cached: boolean;
}

export interface LoadOptions {
  fetch: FetchLike;
  cache?: TextCache;
  onProgress?: (p: LoadProgress) => void;
  /** Parallel requests for per-task sources (default 6). */
  concurrency?: number;
}

export class SourceError extends Error {
  override name = 'SourceError';
  constructor(message: string, readonly url: string, readonly status?: number) {
    super(message);
  }
}

async function fetchText(url: string, opts: LoadOptions): Promise<{ text: string; cached: boolean }> {
  const hit = await opts.cache?.get(url);
  if (hit !== undefined) return { text: hit, cached: true };
  let res: Awaited<ReturnType<FetchLike>>;
  try {
    res = await opts.fetch(url);
  } catch (e) {
    throw new SourceError(`could not fetch ${url} (offline or blocked?): ${e instanceof Error ? e.message : String(e)}`, url);
  }
  if (!res.ok) throw new SourceError(`${url} answered HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`, url, res.status);
  return { text: await res.text(), cached: false };
}

/** Cache only text that parsed, so a broken download is fetched again next time. */
async function remember(opts: LoadOptions, files: readonly (NamedText & { cached: boolean })[]): Promise<void> {
  for (const f of files) if (!f.cached) await opts.cache?.put(f.name, f.text);
}

/** Load every task of a source (parsed and validated; parse errors name the URL as the file). */
export async function loadArcSource(source: ArcSource | ArcSourceId, opts: LoadOptions): Promise<ArcTask[]> {
  const src = typeof source === 'string' ? ARC_SOURCES[source] : source;
  const files = src.files;
  const urls = files.kind === 'combined' ? [files.challenges, files.solutions] : files.names.map(files.url);
  let done = 0;
  const get = async (url: string) => {
    const r = await fetchText(url, opts);
    opts.onProgress?.({ source: src.id, url, done: ++done, total: urls.length, cached: r.cached });
    return { name: url, ...r };
  };

  if (files.kind === 'combined') {
    const [ch, so] = await Promise.all(urls.map(get));
    const tasks = parseKaggleCombined(ch, so);
    await remember(opts, [ch, so]);
    return tasks;
  }
  const tasks = new Array<ArcTask>(urls.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < urls.length; i = next++) {
      const file = await get(urls[i]);
      tasks[i] = parseTaskFile(file, { id: files.names[i] });
      await remember(opts, [file]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 6, urls.length) }, worker));
  return tasks;
}

/** Load one per-task JSON file from a URL; its id is the file's base name. */
export async function loadTaskUrl(url: string, opts: LoadOptions): Promise<ArcTask> {
  const file = { name: url, ...(await fetchText(url, opts)) };
  const task = parseTaskFile(file, { id: decodeURIComponent(taskIdFromFileName(new URL(url).pathname)) });
  await remember(opts, [file]);
  return task;
}

/** Mini-ARC's task files (data/MiniARC/<name>.json): raw GitHub has no directory listing, so the names travel here. */
function miniArcNames(): readonly string[] {
  return [
    '1_3_5_l6aejqqqc1b47pjr5g4', '1_3_5th_go_down_2_4th_go_up_l6abuzscmjgg12f0mdc',
    '2x2_grid_at_the_bottom-right_indicates_the_rotation_for_the_3x3_grid_on_the_upper-left_l6aajdd8e987ucg7wmp',
    '3_s_l6bksw4pewbthhupnrn', 'AscendingOrder_l6abjqzwwo7mhobq52',
    'Biggest_one_attracts_everything_l6acvgoub4310yvwun', 'Bouncing_Ball_l6acvhhkgcbt8hvve8b',
    'Bring_the_block_in_corner_to_inside_l6agp0jf2ccngjdegsy', 'Centralize_l6aei788udv3muok2ka',
    'Change_color_of_object_clockwise_l6bk9tti405ajm30vuv', 'Change_the_location_l6ag1x3wunxhu3wa01l',
    'Change_the_object_order_l69a4gt4sal4b6ihjkc', 'Change_the_order_of_sticks_l6afheel22a49dadhpf',
    'Colony_Expansion_2_l6d2q1yx5npw0qdrnzn', 'Color_Emcoding_l6aftgp22mlspnm1zxb',
    'Color_corners_of_the_rectangle_l6ab1kfb2tyukiwz069', 'Color_encoding_updated_l6ae1ybpnzgz9mlmk1',
    'Color_every_other_tiles_in_the_horizontal_line_l6abe9jmc0chwbqn9c7',
    'Color_value_and_axis_interpolation_l6aebkm5hclekqmx4rd',
    'Count_red_and_make_convex_figure_with_same_area_l6ab33e6ctz4a39x67d',
    'Count_the_number_of_each_color_tiles_and_make_histogram_l6affduwz8b7dyxmvnk',
    'Delete_Sorrounded_l6acpnv7madtynx3e4m', 'Delete_all_except_blocks_in_pinks_view_l6aekdd9ag9d5758ucw',
    'Delete_upper_left_corner_l6agnxc5cev5d7xu89q', 'Diagonal_expansion__l6abirdahy8nxqq8mrv',
    'Difference_of_red_and_green_l6ac81cwe3xlqnl0vtj', 'ExpandnContract_l6ab75bv3lho8o820hg',
    'Expansion_and_Interpolation_l6acqdnnv8tlnxpx19', 'Extracting_diagonal_color_l6ab8vmgwv3s18vt7dq',
    'Fill_the_black_patches_l6bkr7brzakbyhu3sfc', 'Filling_Corner_Corrected_l6bhlma1gimq40v7dyb',
    'Fire_the_gun_l6adyxlvr2wuudefvqm', 'Fit_the_object_to_the_gray_area_l6ael6as2vofatntvzb',
    'Flip_color_in_a_line_l6aest2y8e97r6rhou4', 'Flip_color_l6ab8jog1gzd12hofpc',
    'Flip_gray_is_the_axis_l6aebhyhb7kavxvpv69', 'FloodFill_l6ab6wvu67ltkeaialw', 'Good_axis_l69ctqaoulgvm1zso2',
    'Good_divided_l69o6mo4h8dn43zu6fb', 'Good_layer_l69nn5lz6kk4z4szffo', 'Good_maze_l69na9a94pkojo20vdi',
    'Good_object_inside_l69nwyw75atgbflpm1i', 'Gravity_l6ab99rxv8zu9j4t3bl',
    'If_yellow_vertical_flip_if_green_horizontal_flip_l6ab8cv1mtnt7jenaia',
    'Importance_of_social_distance_l6afc1q0dm28z9i6egn', 'LargestBlackArea_l6abwdmst9ilyp2vewc',
    'LetsMeetDiagonal_Edited_l6aeg2lz0fi09t4du6kr', 'Linear_Bar_l6ag6o0l3vuqske3qj7',
    'Most_Common_color_l6ab0lf3xztbyxsu3p', 'Move_and_flip_l6afdidd7eaonbxosey',
    'One_Color_Collect_together_l6bkbzu66anwnd6daa', 'One_Color_Diagonal_Denoising_l6bktxbcgcze41sald4',
    'One_Color_Gravity_l6bk9t38ni3lwbapno', 'One_Color_Multiply_by_two_l6bkmzmkvfs83xelwq8',
    'One_Color_Sequence_l6bl12mbpu3ide97bfe', 'One_Color_Simple_Stuff_l6bkg9unb1kgovxkon6',
    'One_Color_gravity_2_l6bl4z15y83gmlqgkg', 'OrangeToYellow_l6aasjvev63lnj34jm', 'Poke_l6aexsnrtwwjb8ttht',
    'Put_another_on_yourselves_l6adr7fndqi61wmtnvj', 'Put_away_overlapping_rectangles_l6afs0vwh2o0ztvftrs',
    'Razer_reflection_l6afnlpp4vzn49nkx93', 'Reflection_l6ab2g1dkofxrxht5h', 'Reflection_l6ae9muckoxf9pejy2k',
    'Rotate_45_degree_l6bleks8igry3eqt4fn', 'Rotate_90_degrees_random_maze_l6aaxglsmb3xpn7gqi',
    'Simple_Box_Moving_l6aapas5si5cuue2txa', 'Simple_Color_Fill__l6af3wjj3htf3r242ir',
    'Simple_Color_Switch_l6abh4s781pwfrie9vt', 'Simple_Minima_Finding_l6ab9ddt2pph5409c92',
    'Simple_Occlusion_Corrected_l6aem8yo7dxiyb3i5g4', 'Simple_Unique_Box_l6adthlbktjkouruq0j',
    'Simple_color_substitution_by_max_object_l6abpx6n1d4ho1vu843',
    'Snake_game_Turn_right_when_you_face_the_wall_stop_when_you_meet_your_tail_l6afvp1kql93zvw6l3b',
    'Stretch_the_object_horizontally_l6ah0j8vburw5a914u7', 'Switch_layer_order_l6agp4tofkv4yw5a3fc',
    'Switch_the_color_with_neighbor._l6af7q6sgcjwh33zhq6', 'Tetris_edit_l6ae0g871owxvc1baq3',
    'Tetris_l6ab7fu64lvutswrtbk', 'Tetris_l6abebfk7kghwaazybv', 'Tetris_l6ac7y8auxq0oa1x3gh',
    'Tiling_l6aed6qtpdz0r7firb', 'TopPoint_l6aei8s9pjo8fioevd', 'Toto_Hold_the_line_l6ae5y414m4bvpacfjx',
    'Tree_grow_l6abtiup7kl5z4wkkx4', 'WhereAreYouFrom_l6aebyjbdw1tt57ykl', 'WhereToGo_l6abpi9x72c95wdvtgp',
    'Winner_takes_over_the_row_l6bklvocnai9xscz4h', 'after_rain_l6bv83jfqxba4q8hzbg',
    'align_based_on_the_arrow_direction_l6afyzc2pjsb51gkdg',
    'changing_color_if_neighbors_have_same_l6blerss5coxn0ig3ou', 'chess_pawn_l6bkp4xqvn1t6b1566f',
    'clock_l6bka8ape8glx94eysi', 'clockwise_123_l6aby702l60zwducki', 'clockwise_rotation_l6acrhm6kqqbr4w69i8',
    'color_the_outer_edge_of_the_object_l6abl0slggq9g7sdkyv', 'complete_square_l6bkxufbnufivt96os',
    'complete_the_grid_l6advlyw26bcclp5nx3', 'connect_the_dots_to_make_a_square_l6aescjwslh5v45v3gf',
    'connect_the_gray_corners_l6aehnfsp690jeqcyi', 'copy_3x3_and_see_only_middle_5x5_corrected_l6bl3df6blwyr74lj3d',
    'count_color_and_sort_to_diagonal_l6ab8gmner8ens13m7u', 'count_green_and_color_red__l6ae4occ03osbzmznmgi',
    'covering_the_shape_l6bl450fal0nr0te2ja', 'define_boundary_l6aeugn2pfna6pvwdt',
    'diagonal_flip_l6abdiipodvgey6tbdf', 'diagonal_flip_l6ad1nnu454mki54lqa', 'diagonal_motion_l6afz9x759u8lp4kgq',
    'diagonal_symmetry_l6abqjzurzoglalkz39', 'drag_down_and_trace_left_l6bkx5mn43u3kviefly',
    'edit__flip_based_on_symmetry_part_l6bika2fz201a3w323l',
    'edited_every_5_color_in_a_row_and_column_l6bkoau8zekve5ejb2i',
    'exchange_central_regions_diagonally_l6aezzazwi5alzkuk8n',
    'fill_the_other_side_of_the_border_with_the_other_side_color_l6afhmhecdx8z6m544g',
    'filling_in_the_3x3_square_l6acqxcoewbg3zg475p', 'find_single_cells_l6afg6gtkf27jicef4m',
    'find_the_5_and_1_l6ae9ses9zaejs6idai', 'find_the_color_of_the_gray_pixels_l6afriful4bel4379yo',
    'find_the_most_frequent_color_for_every_2x2_l6ad7ge3gc5rtysj7p',
    'find_the_most_frequent_color_then_color_with_it_l6afx63nce23o4amnx',
    'find_the_total_shape_revealed_by_gray_pixels_l6bl8wmnt49h58bhbzm', 'flip_based_on_the_line_l6abfld9pqc1qln7rfa',
    'flip_on_the_red_indicator_l6aepsu95pmaz36m2qd', 'flip_to_the_long_side_l6ac65n6z6qn8i2lsw',
    'fractal_l6bklbsimu8fpp62p6i', 'going_up_l6acmlt1nkjxwh68ah', 'hideandseek_l6af8co8cvsr8u1psxt',
    'inter_and_outer_blue_square_l6ac6z4bda5su9nopah', 'light__l6ae21isj0885d2hxfi',
    'make_me_smile_l6bl4bdz1cgh6ajfa4yj', 'make_the_rectangle_larger_l6aagjtrvgu9vxwb92d',
    'mapping_color_to_shape_l6acypud56b4m1z5409', 'one_plus_four_l6af5dcogqbhk8pvva',
    'orange_vs_blue_l6abmp2nf0g7vd1rjki', 'parting_cross_l6acqil00ywf88hqnrpm',
    'pull_inner_gadget_towards_the_side_with_different_color_l6aeiaci4szwtcqghvt',
    'push_to_top-right_by_one_l6aflo0rz66bdej719', 'rainy_day_l6bjze1slxrmz0q8ufb',
    'reshape_the_top_left_2x2_to_the_bottom_right_2x2_l6ae262gcpe3lw9b2p',
    'reveal_the_original_gray_pixel_l6blhmgkypxwgqpqsv', 'rolling_l6aefbfyndc6kgu16ai',
    'rotating_colors_l6acdi323jol47enccp', 'shape_mapping_l6afcchh0wfew0rhswzq',
    'stretch_vertically_l6acwqhltn3k0zhgzjo', 'wave_propagation_l6afe4he1mhixwh8v9e',
    'which_side_has_more_area_l6bkhow9g5d3u8nwm58', 'wrap_blue_around_red_l6ae5b5csckyjb7nsj',
    'xor_l6bk7mn24iz2pdb4lxp', 'yflip_l699qy8cyl67x9b0h3h',  ];
}

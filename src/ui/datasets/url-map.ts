/**
 * Public dataset URL → the same file under ../shared/datasets (see its README), so tests (Playwright
 * `page.route`, a fake fetch) serve the local copies in place of the network. Covers every URL pattern of
 * src/data/arc-sources.ts: the Kaggle combined files, ARC-AGI-1/2 per-task files and Mini-ARC's task files.
 */
import { ARC_AGI_1_DATA_URL, ARC_AGI_2_DATA_URL, MINI_ARC_DATA_URL, TRM_COMBINED_URL } from '../../data/arc-sources';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** One path segment ending in .json. */
const NAME = '([^/]+\\.json)';

const RULES: readonly [RegExp, (parts: string[]) => string][] = [
  [new RegExp(`^${escape(TRM_COMBINED_URL)}/(arc-agi_[a-z0-9]+_(?:challenges|solutions)\\.json)$`), ([f]) => `arc-kaggle/${f}`],
  [new RegExp(`^${escape(ARC_AGI_1_DATA_URL)}/(training|evaluation)/${NAME}$`), ([split, f]) => `arc-agi-1/${split}/${f}`],
  [new RegExp(`^${escape(ARC_AGI_2_DATA_URL)}/(training|evaluation)/${NAME}$`), ([split, f]) => `arc-agi-2/${split}/${f}`],
  [new RegExp(`^${escape(MINI_ARC_DATA_URL)}/${NAME}$`), ([f]) => `mini-arc/tasks/${f}`],
];

/** The path relative to shared/datasets, or null for any other URL. Query and fragment are ignored. */
export function publicUrlToLocalPath(url: string): string | null {
  const bare = url.replace(/[?#].*$/, '');
  for (const [re, to] of RULES) {
    const m = re.exec(bare);
    if (!m) continue;
    try {
      // Names arrive percent-encoded (arc-sources.ts encodes them); a decoded name must stay one plain file name.
      const parts = m.slice(1).map(decodeURIComponent);
      return parts.some((p) => /[/\\]/.test(p) || p.startsWith('.')) ? null : to(parts);
    } catch {
      return null;
    }
  }
  return null;
}

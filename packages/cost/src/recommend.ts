/**
 * Full fine-tune or LoRA, and which rank. With measured results (a full fine-tune and LoRA at some ranks,
 * each with a 95% interval) it picks the smallest rank whose interval clears the requirement conservatively:
 *   fraction f:  LoRA's lower bound ≥ f × full fine-tune's score
 *   must-match:  LoRA's lower bound ≥ full fine-tune's lower bound
 * and full fine-tuning when none does. Without a full fine-tune to compare against it falls back to the
 * decision guide, a prior rather than a measurement: must match → full; 95% → r = 32–64; 90% → r = 16;
 * 85% (or less) → r = 8 (ranks from core's RANK_PRESETS).
 */
import { ConfigError, RANK_PRESETS } from '@lorakit/core';

/** 'must-match' the full fine-tune, or the fraction of its score that is acceptable (e.g. 0.95). */
export type QualityRequirement = 'must-match' | number;

export interface MeasuredResult {
  method: 'full' | 'lora' | 'qlora';
  /** LoRA rank (absent for full). */
  rank?: number;
  score: number;
  /** 95% interval of the score. */
  ci95: readonly [number, number];
}

export interface Recommendation {
  method: 'full' | 'lora';
  rank?: number;
  /** The guide's range when it gives one (95% → [32, 64]). */
  rankRange?: readonly [number, number];
  /** 'measured' when eval results decided, 'prior' when the decision guide did. */
  basis: 'measured' | 'prior';
  why: string;
}

function checkRequirement(requirement: QualityRequirement): void {
  if (requirement === 'must-match') return;
  if (typeof requirement !== 'number' || !(requirement > 0 && requirement <= 1)) {
    throw new ConfigError('CONFIG_INVALID', `quality requirement is ${JSON.stringify(requirement)}`, {
      fix: 'use "must-match" or a fraction of the full fine-tune score in (0, 1], such as 0.95',
    });
  }
}

function prior(requirement: QualityRequirement, note: string): Recommendation {
  const basis = 'prior';
  const tail = `this is the decision guide's prior, not a measurement${note}; run an eval to confirm`;
  if (requirement === 'must-match' || requirement >= 1) {
    return { method: 'full', basis, why: `quality must match a full fine-tune, so fine-tune fully: ${tail}` };
  }
  const percent = Math.round(requirement * 100);
  if (requirement >= 0.95) {
    const range = [RANK_PRESETS.complex.rank, RANK_PRESETS['near-full'].rank] as const;
    return {
      method: 'lora',
      rank: range[0],
      rankRange: range,
      basis,
      why: `${percent}% of full quality: LoRA r=${range[0]}–${range[1]}: ${tail}`,
    };
  }
  const rank = requirement >= 0.9 ? RANK_PRESETS.default.rank : RANK_PRESETS.simple.rank;
  return { method: 'lora', rank, basis, why: `${percent}% of full quality: LoRA r=${rank}: ${tail}` };
}

export function recommend(
  requirement: QualityRequirement,
  results: readonly MeasuredResult[] = [],
): Recommendation {
  checkRequirement(requirement);
  const full = results.find((result) => result.method === 'full');
  const adapters = results
    .filter((result) => result.method !== 'full' && result.rank !== undefined)
    .sort((a, b) => (a.rank ?? 0) - (b.rank ?? 0));
  if (full === undefined || adapters.length === 0) {
    const note = results.length > 0 ? ' (the results lack a full fine-tune or a LoRA run to compare)' : '';
    return prior(requirement, note);
  }
  const bar = requirement === 'must-match' ? full.ci95[0] : requirement * full.score;
  const barText =
    requirement === 'must-match'
      ? `the full fine-tune's lower bound ${full.ci95[0]}`
      : `${requirement} × full ${full.score} = ${Number(bar.toFixed(4))}`;
  const chosen = adapters.find((result) => result.ci95[0] >= bar);
  if (chosen?.rank !== undefined) {
    return {
      method: 'lora',
      rank: chosen.rank,
      basis: 'measured',
      why: `LoRA r=${chosen.rank} scored ${chosen.score} (95% CI ${chosen.ci95[0]}–${chosen.ci95[1]}); its lower bound clears ${barText}, the smallest rank that does`,
    };
  }
  const best = adapters.reduce((a, b) => (b.ci95[0] > a.ci95[0] ? b : a));
  return {
    method: 'full',
    basis: 'measured',
    why: `no LoRA rank's lower bound clears ${barText} (best: r=${best.rank ?? '?'} at ${best.ci95[0]}), so fine-tune fully`,
  };
}

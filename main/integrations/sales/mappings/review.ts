/** Review sign-off stored with the set: one current review per table mapping (and optionally per field mapping). */
import { applyChange, findReview } from './changes';
import type { Change, MappingSet, Review, ReviewStatus } from '../../../../preload/contract/sales/mapping-model';

export interface SignOff {
  mapping: string;
  field?: string | null;
  reviewer: string;
  status: ReviewStatus;
  comment?: string;
  at?: Date;
}

/** The change that records a sign-off (apply it, or push it on the editor's History for undo). */
export function signOffChange(set: MappingSet, s: SignOff): Change {
  if (!set.mappings.some((m) => m.name === s.mapping)) throw new Error(`There is no table mapping ${s.mapping} to review.`);
  if (s.reviewer.trim() === '') throw new Error('A review needs the reviewer\'s name.');
  const review: Review = {
    mapping: s.mapping, field: s.field ?? null, reviewer: s.reviewer.trim(), status: s.status, comment: s.comment ?? '', at: (s.at ?? new Date()).toISOString(),
  };
  return { op: 'setReview', review, previous: findReview(set, review.mapping, review.field) };
}

export function signOff(set: MappingSet, s: SignOff): MappingSet {
  return applyChange(set, signOffChange(set, s));
}

export interface ReviewSummary {
  mapping: string;
  status: ReviewStatus;
  reviewer: string | null;
  at: string | null;
  comment: string;
  /** Field-level notes that are not Approved. */
  openFieldNotes: number;
}

export function reviewSummary(set: MappingSet): ReviewSummary[] {
  return set.mappings.map((m) => {
    const r = findReview(set, m.name, null);
    return {
      mapping: m.name, status: r?.status ?? 'Pending', reviewer: r?.reviewer ?? null, at: r?.at ?? null, comment: r?.comment ?? '',
      openFieldNotes: set.reviews.filter((x) => x.mapping === m.name && x.field !== null && x.status !== 'Approved').length,
    };
  });
}

/** True when every table mapping is Approved and no field note is left open. */
export const isSignedOff = (set: MappingSet) => reviewSummary(set).every((s) => s.status === 'Approved' && s.openFieldNotes === 0);

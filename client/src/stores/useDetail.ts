import { create } from 'zustand';
import { initialDetailState, type DetailState } from './detailState';

/** Whole-session trend of the open session page. */
export const useDetail = create<DetailState>()(() => initialDetailState);

export const updateDetail = (fn: (s: DetailState) => DetailState) => useDetail.setState(fn, true);
